// Job page: follow the job's indexed state and offer the actions the connected wallet may take.
"use strict";

(() => {
  const section = document.getElementById("job");
  const jobId = Number(section.dataset.jobId);

  function showActions() {
    const isClient = Jiedan.sameAddress(Jiedan.account, section.dataset.client);
    document.querySelectorAll("button.release").forEach((button) => {
      const state = document.querySelector(`tr[data-milestone="${button.dataset.index}"] .state`).dataset.state;
      button.hidden = !(isClient && state === "funded");
    });
  }

  async function refresh() {
    let job;
    try {
      job = await Jiedan.api(`/api/jobs/${jobId}`);
    } catch (error) {
      if (error.status !== 404) Jiedan.status(error.message, true);
      return null;
    }
    if (section.dataset.indexed !== "yes") {
      window.location.reload(); // first sight of the job: render it from the server
      return job;
    }
    for (const m of job.milestones) {
      const cell = document.querySelector(`tr[data-milestone="${m.index}"] .state`);
      cell.dataset.state = m.state;
      cell.textContent = m.state;
    }
    showActions();
    return job;
  }

  document.addEventListener("jiedan:connected", showActions);

  section.addEventListener("click", async (event) => {
    const button = event.target.closest("button.release");
    if (!button) return;
    const index = Number(button.dataset.index);
    button.disabled = true;
    try {
      const tx = await Jiedan.api("/api/tx/release", { sender: Jiedan.account, job_id: jobId, milestone: index });
      await Jiedan.send(tx, `Release milestone ${index + 1}`);
      Jiedan.status(`Release milestone ${index + 1}: confirmed on chain; waiting for the indexer…`);
      for (;;) {
        const job = await refresh();
        if (job && job.milestones[index].state === "released") break;
        await Jiedan.sleep(300);
      }
      Jiedan.status(`Milestone ${index + 1} released: the freelancer is paid.`);
    } catch (error) {
      Jiedan.status(Jiedan.walletError(error), true);
    } finally {
      button.disabled = false;
    }
  });

  setInterval(refresh, 1500);
})();
