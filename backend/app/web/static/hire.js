// Hire page: hash the listing, check the wallet can pay, approve the token if needed,
// then create and fund the escrow job.
"use strict";

document.getElementById("hire-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = document.getElementById("hire-submit");
  const body = document.body.dataset;
  const account = Jiedan.account || (await Jiedan.connect());
  if (!account) return;
  button.disabled = true;
  try {
    const title = document.getElementById("title").value.trim();
    const freelancer = document.getElementById("freelancer").value.trim();
    const decimals = Number(body.tokenDecimals);
    const amounts = document.getElementById("amounts").value.split(",").map((a) => Jiedan.toUnits(a, decimals));
    const total = amounts.reduce((sum, a) => sum + BigInt(a), 0n);
    const totalText = `${Jiedan.formatUnits(total, decimals)} ${body.tokenSymbol}`;

    const listing = await Jiedan.api("/api/listings/hash", { listing: { title, milestones: amounts } });
    // Refused here, in words, if the wallet holds too little: before any signature is asked for.
    const createTx = await Jiedan.api("/api/tx/create-job", {
      client: account, freelancer, amounts, metadata_hash: listing.metadata_hash,
    });
    const position = await Jiedan.api(`/api/wallets/${account}/token`);
    if (BigInt(position.allowance) < total) {
      const approveTx = await Jiedan.api("/api/tx/token-approve", { owner: account, amount: total.toString() });
      try {
        await Jiedan.send(approveTx, `Allow the escrow to take ${totalText}`);
      } catch (error) {
        if (error && error.code === 4001) {
          throw new Error(`You rejected the allowance: without it the escrow cannot take the ${totalText}.`);
        }
        throw error;
      }
    }
    const receipt = await Jiedan.send(createTx, "Create and fund the job");
    const created = receipt.logs.find(
      (log) => Jiedan.sameAddress(log.address, body.escrow) && log.topics[0] === body.jobCreatedTopic,
    );
    window.location.assign(`/jobs/${BigInt(created.topics[1]).toString()}`);
  } catch (error) {
    Jiedan.status(Jiedan.walletError(error), true);
  } finally {
    button.disabled = false;
  }
});
