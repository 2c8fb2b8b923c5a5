"""Explainable matching: scoring functions over plain data (scoring.py, the weights in one place), vectorised
with numpy over every candidate (ranking.py) held in memory (pools.py), with the on-chain record (records.py).

score = Σ weight × component, every component in [0, 1]:
- skills: share of the job's tags the freelancer has (proven on-chain tags count fully, declared ones half);
- text: cosine similarity of the job's and the profile's embeddings (wordllama, offline: see
  services/embeddings.py), negative similarity counted as 0; the detail names the words they share;
- record: the on-chain record = experience × (1 − dispute rate) × rating, where experience saturates
  with paid jobs done (3 jobs → 0.5), the dispute rate is the share of its ended jobs (Reputation
  contract) whose dispute it lost, and the rating is the average out of 5 (not rated yet: 4 of 5);
- availability: available 1, limited 0.5, unavailable 0.
Every result carries `why`: each component's value, weight and contribution; they add up to the score.
Ties rank by ref.

All candidates are scored (no cap). Their embeddings, tags and availability are held per process in
a `Pool`, refreshed on each request from the rows whose `updated_at` moved (an indexed range read);
hidden rows and the on-chain record are read on each request, so moderation and the indexer show at once.
"""

from backend.app.services.matching.ranking import freelancers_for_job, jobs_for_freelancer

__all__ = ["freelancers_for_job", "jobs_for_freelancer"]
