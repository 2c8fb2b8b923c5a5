// Job post page: accepting a proposal hires the freelancer. The backend returns the unsigned
// allowance and create-and-fund transactions (with the freelancer's signed consent to the terms), and for
// a token taking EIP-2612 permits the permit to sign instead of the allowance: then the client signs it
// and sends one transaction (create-job-with-permit). The JobCreated log of the receipt names the escrow
// job the page then opens.
"use strict";

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.accept");
  if (!button) return;
  const body = document.body.dataset;
  button.disabled = true;
  try {
    const account = Jiedan.account || (await Jiedan.connect());
    if (!account) return;
    const accepted = await Jiedan.api(`/api/proposals/${button.dataset.proposalId}/accept`, {});
    const hire = accepted.hire;
    const decimals = Number(body.tokenDecimals);
    const total = hire.amounts.reduce((sum, a) => sum + BigInt(a), 0n);
    const totalText = `${Jiedan.formatUnits(total, decimals)} ${body.tokenSymbol}`;
    const position = await Jiedan.api(`/api/wallets/${account}/token?token=${body.token}`);
    let createAndFund = hire.create_and_fund;
    if (hire.permit && BigInt(position.allowance) < total) {  // one signature instead of an approve transaction
      let signature;
      try {
        signature = await Jiedan.signTyped(hire.permit, `Permit the escrow to take ${totalText}`);
      } catch (error) {
        if (error && error.code === 4001) {
          throw new Error(`You rejected the permit: without it the escrow cannot take the ${totalText}.`);
        }
        throw error;
      }
      createAndFund = await Jiedan.api("/api/tx/create-job-with-permit", {
        terms: hire.terms,
        consent: hire.consent,
        permit_value: hire.permit.message.value,
        permit_deadline: Number(hire.permit.message.deadline),
        permit_signature: signature,
      });
    } else if (hire.approve && BigInt(position.allowance) < total) {  // none for the chain's own currency
      try {
        await Jiedan.send(hire.approve, `Allow the escrow to take ${totalText}`);
      } catch (error) {
        if (error && error.code === 4001) {
          throw new Error(`You rejected the allowance: without it the escrow cannot take the ${totalText}.`);
        }
        throw error;
      }
    }
    const receipt = await Jiedan.send(createAndFund, "Create and fund the job");
    const created = receipt.logs.find(
      (log) => Jiedan.sameAddress(log.address, body.escrow) && log.topics[0] === body.jobCreatedTopic,
    );
    if (!created) throw new Error("The transaction was mined but created no escrow job.");
    window.location.assign(`/jobs/${BigInt(created.topics[1]).toString()}`);
  } catch (error) {
    Jiedan.status(Jiedan.walletError(error), true);
  } finally {
    button.disabled = false;
  }
});

// The freelancer's own proposal: sign (again) the escrow terms of its plan when the client cannot hire it yet
// (never signed, or the fee, the listing or the offer's expiry changed).
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button#consent-sign");
  if (!button) return;
  button.disabled = true;
  try {
    const path = `/api/proposals/${button.dataset.proposalId}/consent`;
    const consent = await Jiedan.signConsent(path);
    await Jiedan.request("PUT", path, consent);
    window.location.reload();
  } catch (error) {
    Jiedan.status(Jiedan.walletError(error), true);
  } finally {
    button.disabled = false;
  }
});
