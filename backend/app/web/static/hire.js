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
    const days = document.getElementById("deadlines").value.split(",").map((d) => Number(d.trim()));
    if (days.length !== amounts.length || days.some((d) => !(d > 0))) {
      throw new Error(`Give one deadline (days from now, above 0) for each of the ${amounts.length} milestones.`);
    }
    // Deadlines count from the chain's clock, which is what the escrow compares them with.
    const latest = await window.ethereum.request({ method: "eth_getBlockByNumber", params: ["latest", false] });
    const now = parseInt(latest.timestamp, 16);
    const milestones = amounts.map((amount, i) => ({ amount, deadline: now + Math.round(days[i] * 86400) }));
    const fundText = document.getElementById("fund-count").value.trim();
    const fundCount = fundText === "" ? amounts.length : Number(fundText);
    const total = amounts.slice(0, fundCount).reduce((sum, a) => sum + BigInt(a), 0n);
    const totalText = `${Jiedan.formatUnits(total, decimals)} ${body.tokenSymbol}`;

    const listing = await Jiedan.api("/api/listings/hash", { listing: { title, milestones } });
    // Refused here, in words, if the wallet holds too little: before any signature is asked for.
    const createTx = await Jiedan.api("/api/tx/create-job", {
      client: account,
      freelancer,
      arbiter: document.getElementById("arbiter").value.trim(),
      arbiter_fee_bps: Math.round(Number(document.getElementById("arbiter-fee").value) * 100),
      review_period: Math.round(Number(document.getElementById("review-hours").value) * 3600),
      ruling_window: Math.round(Number(document.getElementById("ruling-hours").value) * 3600),
      milestones,
      metadata_hash: listing.metadata_hash,
      fund_count: fundCount,
    });
    const position = await Jiedan.api(`/api/wallets/${account}/token`);
    if (total > 0n && BigInt(position.allowance) < total) {
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
