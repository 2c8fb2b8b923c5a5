// Hire page: hash the listing, approve the token, create and fund the escrow job.
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
    const total = amounts.reduce((sum, a) => sum + BigInt(a), 0n).toString();
    const listing = await Jiedan.api("/api/listings/hash", { listing: { title, milestones: amounts } });
    const createTx = await Jiedan.api("/api/tx/create-job", {
      client: account, freelancer, amounts, metadata_hash: listing.metadata_hash,
    });
    const approveTx = await Jiedan.api("/api/tx/token-approve", { owner: account, amount: total });
    await Jiedan.send(approveTx, `Allow the escrow to take ${body.tokenSymbol}`);
    const receipt = await Jiedan.send(createTx, "Create and fund the job");
    const created = receipt.logs.find(
      (log) => Jiedan.sameAddress(log.address, body.escrow) && log.topics[0] === body.jobCreatedTopic,
    );
    const jobId = BigInt(created.topics[1]).toString();
    window.location.assign(`/jobs/${jobId}`);
  } catch (error) {
    Jiedan.status(Jiedan.walletError(error), true);
  } finally {
    button.disabled = false;
  }
});
