"""Which escrow job carries which listing (services/listing_jobs.py): the one rule the listing page, the job
page, notifications and proven skills share."""

from __future__ import annotations

from backend.app.models.job_post import JobPost
from backend.app.services import listing_jobs
from tests.support.chain import wallet
from tests.support.factories import chain_job, published_post


def _listing(client_as, db, role="client") -> JobPost:
    post = published_post(client_as(role))
    return db.get(JobPost, post["id"])


def _job_with_hash_of(db, post: JobPost, client: str = "client"):
    """An escrow job funded with the listing's metadata hash, by the listing's client unless told."""
    return chain_job(
        db, client=wallet(client), freelancer=wallet("freelancer"), amounts=[1], metadata_hash=post.metadata_hash
    )


def test_unlinked_listing__carried_by_its_clients_job_with_its_hash__in_any_letter_case(client_as, db):
    post = _listing(client_as, db)
    post.status = "hired"
    job = chain_job(
        db,
        client=wallet("client").lower(),
        freelancer=wallet("freelancer"),
        amounts=[1],
        metadata_hash=post.metadata_hash.upper().replace("0X", "0x"),
    )
    assert listing_jobs.job_of(db, post).job_id == job.job_id
    assert listing_jobs.listing_of(db, job).id == post.id


def test_published_listing__answered_without_a_job__as_the_api_answers_it_from_its_row(client_as, db):
    post = _listing(client_as, db)
    job = _job_with_hash_of(db, post)
    assert listing_jobs.job_of(db, post) is None  # not hired: no job is looked for
    assert listing_jobs.listing_of(db, job).id == post.id


def test_another_clients_job_with_the_same_hash__carries_nothing(client_as, db):
    post = _listing(client_as, db)
    post.status = "hired"
    job = _job_with_hash_of(db, post, client="arbiter")
    assert listing_jobs.job_of(db, post) is None
    assert listing_jobs.listing_of(db, job) is None


def test_linked_listing__belongs_to_its_job_only__not_to_another_with_its_hash(client_as, db):
    post = _listing(client_as, db)
    first = _job_with_hash_of(db, post)
    second = _job_with_hash_of(db, post)
    post.chain_id, post.chain_job_id = first.chain_id, first.job_id
    db.commit()
    assert listing_jobs.job_of(db, post).job_id == first.job_id
    assert listing_jobs.listing_of(db, first).id == post.id
    assert listing_jobs.listing_of(db, second) is None
    assert set(listing_jobs.listings_of(db, [first, second])) == {(first.chain_id, first.job_id)}


def test_listing_hired_twice_by_hash__its_job_is_the_newest(client_as, db):
    post = _listing(client_as, db)
    post.status = "hired"
    older = _job_with_hash_of(db, post)
    newer = _job_with_hash_of(db, post)
    newer.created_block = older.created_block + 1
    db.commit()
    assert listing_jobs.job_of(db, post).job_id == newer.job_id
    assert {key: p.id for key, p in listing_jobs.listings_of(db, [older, newer]).items()} == {
        (older.chain_id, older.job_id): post.id,
        (newer.chain_id, newer.job_id): post.id,
    }
