// Dashboard and job page: withdraw a credit (a payout the escrow could not deliver). The API builds
// the `withdraw(token, to)` call after checking the indexed credit; the wallet signs and sends it;
// the page reloads once the indexer has seen the block, so the credit is gone from the list.
"use strict";

(() => {
  async function waitForIndexer(blockNumber) {
    for (;;) {
      const health = await (await fetch("/health")).json();
      if (health.indexer && health.indexer.checkpoint >= blockNumber) return;
      await Jiedan.sleep(250);
    }
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button.withdraw");
    if (!button) return;
    button.disabled = true;
    const label = `Withdraw ${button.dataset.label}`;
    try {
      if (!Jiedan.account) await Jiedan.connect();
      const tx = await Jiedan.api("/api/tx/withdraw", { sender: Jiedan.account, token: button.dataset.token });
      const receipt = await Jiedan.send(tx, label);
      Jiedan.status(`${label}: confirmed on chain; waiting for the indexer…`);
      await waitForIndexer(parseInt(receipt.blockNumber, 16));
      window.location.reload();
    } catch (error) {
      Jiedan.status(Jiedan.walletError ? Jiedan.walletError(error) : String(error), true);
      button.disabled = false;
    }
  });
})();
