"""The off-chain marketplace in Chromium with two wallets: sign in with the wallet, a profile,
a job posted (after a validation error), found through search, a proposal, the inbox, a shortlist,
messages with an attachment and its hash, recommendations that say why; moderation."""

from __future__ import annotations

import re

import pytest
from eth_utils import keccak
from playwright.sync_api import expect

from tests.browser.conftest import MODERATOR, sign_in
from tests.support.chain import wallet

pytestmark = pytest.mark.browser

CLIENT, FREELANCER = wallet("client"), wallet("freelancer")
MEIS_PROPOSAL = (
    f'.proposal:has(a[href="/profiles/{FREELANCER}"])'  # proposers are shown by name, linked to their profile
)
BRIEF = b"Jasmine Garden: logo brief, colours green and gold.\n"


def test_sign_in_and_out__header_shows_the_account(wallet_page):
    page = wallet_page(CLIENT)
    page.goto("/")
    expect(page.locator("#account")).to_have_text(CLIENT)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_role("button", name="Sign in").focus()
    page.keyboard.press("Enter")  # the keyboard is enough
    expect(page.locator("#signed-in")).to_have_text(f"{CLIENT[:6]}…{CLIENT[-4:]}")
    expect(page.get_by_role("link", name="Dashboard")).to_be_visible()
    assert page.evaluate("fetch('/api/me').then(r => r.status)") == 200

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.locator("#signed-in")).to_have_count(0)
    assert page.evaluate("fetch('/api/me').then(r => r.status)") == 401


def test_sign_in__rejected_signature__says_so_and_stays_signed_out(wallet_page):
    page = wallet_page(FREELANCER)
    page.goto("/")
    expect(page.locator("#account")).to_have_text(FREELANCER)
    page.evaluate("window.ethereum.rejectNext = 1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#status")).to_have_text("You rejected the sign-in signature: you are not signed in.")
    expect(page.locator("#status")).to_have_class(re.compile("error"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.evaluate("fetch('/api/me').then(r => r.status)") == 401


def test_sign_in__wallet_on_another_chain__asks_to_switch(wallet_page, other_chain):
    page = wallet_page(CLIENT, rpc_url=other_chain)
    page.goto("/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#status")).to_have_text("Your wallet is on chain 1337; switch it to chain 31337.")
    assert page.evaluate("fetch('/api/me').then(r => r.status)") == 401


def test_offchain_story__profile_post_search_propose_shortlist_message(wallet_page):
    freelancer = wallet_page(FREELANCER)
    client = wallet_page(CLIENT)

    # The freelancer sets up a profile.
    sign_in(freelancer, "/me/profile")
    freelancer.get_by_label("Name").fill("Mei Lin")
    freelancer.get_by_label("Skills (comma-separated)").fill("logo-design, Illustration")
    freelancer.get_by_label("Bio (Markdown)").fill("I draw **logos** for tea brands. <script>alert(1)</script>")
    freelancer.get_by_label(re.compile("Hourly rate")).fill("40")
    freelancer.get_by_role("button", name="Save profile").click()
    freelancer.wait_for_url(f"**/profiles/{FREELANCER}")
    expect(freelancer.get_by_role("heading", name=re.compile("Mei Lin"))).to_be_visible()
    expect(freelancer.locator(".bio strong")).to_have_text("logos")
    expect(freelancer.locator(".bio")).to_contain_text("<script>alert(1)</script>")  # shown, never run
    expect(freelancer.locator(".skills")).to_contain_text("illustration")

    # The client posts a job: a too-short title is refused next to its field first.
    sign_in(client, "/post")
    client.get_by_label("Title", exact=True).fill("Lo")
    client.get_by_label("Description (Markdown)").fill("A logo for **Jasmine Garden**, a tea shop.")
    client.get_by_label("Skills (comma-separated)").fill("logo-design")
    client.get_by_label(re.compile("^Budget")).fill("500")
    client.get_by_label("Milestone title").fill("Sketches")
    client.get_by_label(re.compile("^Amount")).fill("200")
    client.get_by_role("button", name="Add a milestone").click()
    client.get_by_label("Milestone title").nth(1).fill("Final files")
    client.get_by_label(re.compile("^Amount")).nth(1).fill("300")
    client.get_by_role("button", name="Save and preview").click()
    expect(client.locator("#err-title")).to_contain_text("at least 3 characters")
    expect(client.get_by_label("Title", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(client.get_by_label("Title", exact=True)).to_be_focused()

    client.get_by_label("Title", exact=True).fill("Logo for a jasmine tea shop")
    client.get_by_role("button", name="Save and preview").click()
    client.wait_for_url(re.compile(r"/posts/\d+$"))
    post_url = client.url
    expect(client.locator("h1 .pill")).to_have_text("draft")
    expect(client.locator(".description strong")).to_have_text("Jasmine Garden")
    expect(client.locator("#listing-hash")).to_have_text(re.compile(r"^0x[0-9a-f]{64}$"))
    client.get_by_role("button", name="Publish").click()
    expect(client.locator("h1 .pill")).to_have_text("published")

    # The freelancer finds it through search (the match highlighted) and sends a proposal.
    freelancer.goto("/search")
    expect(freelancer.locator(".recommendation").first).to_contain_text("Logo for a jasmine tea shop")
    expect(freelancer.locator(".recommendation .why").first).to_contain_text("skills")
    freelancer.get_by_label("Words").fill("jasmine")
    freelancer.get_by_label("Skills (comma-separated)").fill("logo-design")
    freelancer.get_by_role("button", name="Search").click()
    hit = freelancer.locator(".hit").first
    expect(hit.locator("mark").first).to_have_text(re.compile("jasmine", re.I))
    hit.get_by_role("link", name="Logo for a jasmine tea shop").click()
    freelancer.get_by_label("Cover letter").fill("Forty tea brands so far; sketches in three days.")
    freelancer.get_by_role("button", name="Send proposal").click()
    expect(freelancer.get_by_role("heading", name=re.compile("Your proposal"))).to_contain_text("submitted")

    # The client sees it in the inbox, shortlists it, and the recommendation says why.
    client.goto("/proposals")
    row = client.locator(f'tr:has(a[href="/profiles/{FREELANCER}"])')
    expect(row).to_contain_text("Mei Lin")  # proposers by name, linked to their profile
    expect(row).to_contain_text("submitted")
    expect(row).to_contain_text("500 jUSD")
    client.goto(post_url)
    proposal = client.locator(MEIS_PROPOSAL)
    proposal.get_by_role("button", name="Shortlist").click()
    expect(client.locator(MEIS_PROPOSAL).locator(".pill")).to_have_text("shortlisted")
    expect(client.locator(".recommendation", has_text="Mei Lin").locator(".why")).to_contain_text("skills")

    # They exchange a message with an attachment whose keccak is shown.
    client.locator(MEIS_PROPOSAL).get_by_role("button", name="Message").click()
    client.wait_for_url(re.compile(r"/messages/\d+$"))
    thread_url = client.url
    client.get_by_label("Message", exact=True).fill("Here is the brief.")
    client.get_by_role("button", name="Send").click()
    expect(client.locator(".msg").last).to_contain_text("Here is the brief.")
    client.get_by_label("Attach a file").set_input_files(
        {"name": "brief.txt", "mimeType": "text/plain", "buffer": BRIEF}
    )
    client.get_by_role("button", name="Upload").click()
    expect(client.locator(".attachment .hash")).to_have_text("0x" + keccak(BRIEF).hex())

    freelancer.goto("/messages")
    expect(freelancer.locator(".thread-item .unread")).to_have_text("2")
    freelancer.get_by_role("link", name=re.compile("Logo for a jasmine tea shop")).click()
    expect(freelancer.locator(".attachment .hash")).to_have_text("0x" + keccak(BRIEF).hex())
    expect(freelancer.get_by_role("link", name="brief.txt")).to_have_attribute("href", re.compile("/api/attachments/"))
    freelancer.get_by_label("Message", exact=True).fill("Thanks, on it.")
    freelancer.get_by_role("button", name="Send").click()
    expect(freelancer.locator(".msg.mine")).to_contain_text("Thanks, on it.")
    assert freelancer.url == thread_url

    # Readable on a phone: no sideways scrolling on the job post.
    freelancer.set_viewport_size({"width": 390, "height": 844})
    freelancer.goto(post_url)
    assert freelancer.evaluate("document.documentElement.scrollWidth") <= 390

    # The dashboard lists the job post and the notifications; marking them read clears the badge.
    client.goto("/dashboard")
    expect(client.locator("#posts-title + ul")).to_contain_text("Logo for a jasmine tea shop")
    expect(client.locator(".notes")).to_contain_text("New proposal")
    client.get_by_role("button", name="Mark all read").click()
    expect(client.get_by_role("button", name="Mark all read")).to_have_count(0)


def test_moderation__report_then_hide__listing_leaves_search(wallet_page):
    reporter = wallet_page(FREELANCER)
    sign_in(reporter, "/search?q=jasmine")
    reporter.locator(".hit").first.get_by_role("link").click()
    reporter.get_by_text("Report this job").click()
    reporter.get_by_label("Reason").fill("Spam: the same post ten times.")
    reporter.get_by_role("button", name="Send report").click()
    expect(reporter.locator(".report .form-error")).to_have_text("Thank you: a moderator will look at it.")

    moderator = wallet_page(MODERATOR)
    sign_in(moderator, "/moderation")
    item = moderator.locator(".report-item", has_text="Spam: the same post ten times.")
    item.get_by_label("Reason shown to the owner").fill("Duplicate listing")
    item.get_by_role("button", name="Hide").click()
    expect(moderator.locator(".report-item")).to_have_count(0)
    moderator.goto("/search?q=jasmine")
    expect(moderator.locator(".hit")).to_have_count(0)

    outsider = wallet_page(CLIENT)
    sign_in(outsider, "/moderation")
    expect(outsider.locator("main")).to_contain_text("Only moderators may see this page.")


def test_arbiter_queue__nothing_disputed__empty_state(wallet_page):
    page = wallet_page(wallet("arbiter"))
    sign_in(page, "/arbiter")
    expect(page.locator("#arbiter-empty")).to_be_visible()


def test_accept_proposal__wallet_creates_and_funds__opens_the_escrow_job(wallet_page):
    client = wallet_page(CLIENT)
    freelancer = wallet_page(FREELANCER)
    sign_in(client, "/post")
    client.get_by_label("Title", exact=True).fill("Translate a tea menu")
    client.get_by_label(re.compile("^Budget")).fill("120")
    client.get_by_label("Milestone title").fill("Whole menu")
    client.get_by_label(re.compile("^Amount")).fill("120")
    client.get_by_role("button", name="Save and preview").click()
    client.wait_for_url(re.compile(r"/posts/\d+$"))
    post_url = client.url
    client.get_by_role("button", name="Publish").click()
    expect(client.locator("h1 .pill")).to_have_text("published")

    sign_in(freelancer, post_url)
    freelancer.get_by_label("Cover letter").fill("Native speaker of both.")
    freelancer.get_by_role("button", name="Send proposal").click()
    expect(freelancer.get_by_role("heading", name=re.compile("Your proposal"))).to_be_visible()

    client.goto(post_url)
    client.locator(MEIS_PROPOSAL).get_by_role("button", name="Accept and fund").click()
    # The escrow job's page, or the error in words (fail fast rather than wait for a URL).
    expect(client.locator("#status.error").or_(client.locator("section#job"))).to_be_visible(timeout=30_000)
    assert re.search(r"/jobs/\d+$", client.url), client.locator("#status").text_content()
    expect(client.locator("table.milestones tbody tr")).to_have_count(1)
