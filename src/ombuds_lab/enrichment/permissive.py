"""Training data for the shipped models that a company may use commercially.

The default models learn from the Twitter US Airline Sentiment set (CC BY-NC-SA 4.0). This module
builds the same three inputs (sentiment, category, unlabelled texts for the sentence vector)
only from public development files whose licence allows commercial use (see the data folder's
README): Banking77 (CC BY 4.0), the CFPB complaint narratives (US public domain) and the UCI
sentiment-labelled sentences (CC BY 4.0). None of them is labelled with three sentiments or with
a customer-care taxonomy, so labels are derived, and the rules are written out here:

* sentiment: UCI sentences keep their positive/negative label; Banking77 questions about how
  something works are neutral, its reports of something gone wrong are negative; CFPB
  narratives (all complaints) are negative.
* category: Banking77's 77 intents grouped into ten topics a card or payments desk uses; UCI
  sentences (reviews, not service requests) teach "none".

Pure apart from reading the CSV files it is given.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ombuds.enrichment.analyzers.category import NO_CATEGORY
from ombuds.enrichment.training import DataError, TrainingSet

BANKING77 = "banking77_train.csv"
CFPB = "cfpb_complaints_dev.csv"
UCI = ("uci_amazon_cells_labelled.csv", "uci_yelp_labelled.csv", "uci_imdb_labelled.csv")
CFPB_TEXT = "Consumer complaint narrative"
#: Narratives run to thousands of characters; the opening says what went wrong.
CFPB_CHARS = 1000
#: Enough complaint narratives to teach their register without outnumbering the short messages.
CFPB_ROWS = 1500


@dataclass(frozen=True)
class Licensed:
    """A data file and the licence that lets a company use what is learnt from it."""

    name: str
    licence: str


#: Every file this module reads; nothing else reaches the permissive models.
FILES = (
    Licensed(BANKING77, "CC BY 4.0 (PolyAI, Casanueva et al. 2020)"),
    Licensed(CFPB, "US public domain (Consumer Financial Protection Bureau)"),
    *(Licensed(name, "CC BY 4.0 (Kotzias et al. 2015, UCI ML Repository)") for name in UCI),
)

NEUTRAL_INTENTS = frozenset(
    {
        "activate_my_card", "age_limit", "apple_pay_or_google_pay", "atm_support",
        "automatic_top_up", "card_about_to_expire", "card_acceptance", "card_delivery_estimate",
        "card_linking", "change_pin", "country_support", "disposable_card_limits",
        "edit_personal_details", "exchange_rate", "exchange_via_app", "fiat_currency_support",
        "get_disposable_virtual_card", "get_physical_card", "getting_spare_card",
        "getting_virtual_card", "order_physical_card", "receiving_money",
        "supported_cards_and_currencies", "top_up_by_cash_or_cheque", "top_up_limits",
        "topping_up_by_card", "transfer_into_account", "transfer_timing", "verify_my_identity",
        "verify_source_of_funds", "verify_top_up", "visa_or_mastercard", "why_verify_identity",
    }
)  # fmt: skip
NEGATIVE_INTENTS = frozenset(
    {
        "Refund_not_showing_up", "balance_not_updated_after_bank_transfer",
        "balance_not_updated_after_cheque_or_cash_deposit", "beneficiary_not_allowed",
        "card_arrival", "card_not_working", "card_payment_fee_charged",
        "card_payment_not_recognised", "card_payment_wrong_exchange_rate", "card_swallowed",
        "cash_withdrawal_charge", "cash_withdrawal_not_recognised", "compromised_card",
        "contactless_not_working", "declined_card_payment", "declined_cash_withdrawal",
        "declined_transfer", "direct_debit_payment_not_recognised", "extra_charge_on_statement",
        "failed_transfer", "lost_or_stolen_card", "lost_or_stolen_phone", "pin_blocked",
        "top_up_failed", "top_up_reverted", "transaction_charged_twice", "transfer_fee_charged",
        "transfer_not_received_by_recipient", "unable_to_verify_identity",
        "virtual_card_not_working", "wrong_amount_of_cash_received",
        "wrong_exchange_rate_for_cash_withdrawal",
    }
)  # fmt: skip
# Intents left out of sentiment (pending payments, cancelling, asking for a refund) read either way.

TOPICS: dict[str, tuple[str, ...]] = {
    "Card delivery": (
        "card_arrival", "card_delivery_estimate", "activate_my_card", "order_physical_card",
        "get_physical_card", "getting_spare_card", "card_about_to_expire", "card_linking",
        "getting_virtual_card", "get_disposable_virtual_card", "disposable_card_limits",
    ),
    "Card not working": (
        "card_not_working", "contactless_not_working", "virtual_card_not_working", "card_swallowed",
        "card_acceptance", "declined_card_payment", "pin_blocked", "apple_pay_or_google_pay",
        "pending_card_payment", "reverted_card_payment?",
    ),
    "Fraud and lost cards": (
        "lost_or_stolen_card", "lost_or_stolen_phone", "compromised_card",
        "card_payment_not_recognised", "cash_withdrawal_not_recognised",
        "direct_debit_payment_not_recognised",
    ),
    "Fees and charges": (
        "card_payment_fee_charged", "cash_withdrawal_charge", "exchange_charge",
        "extra_charge_on_statement", "transfer_fee_charged", "top_up_by_bank_transfer_charge",
        "top_up_by_card_charge", "transaction_charged_twice",
    ),
    "Refunds": ("request_refund", "Refund_not_showing_up"),
    "Transfers": (
        "transfer_into_account", "transfer_timing", "transfer_not_received_by_recipient",
        "failed_transfer", "declined_transfer", "pending_transfer", "cancel_transfer",
        "beneficiary_not_allowed", "receiving_money", "balance_not_updated_after_bank_transfer",
    ),
    "Top-ups": (
        "top_up_failed", "top_up_reverted", "top_up_limits", "topping_up_by_card", "pending_top_up",
        "automatic_top_up", "verify_top_up", "top_up_by_cash_or_cheque",
        "balance_not_updated_after_cheque_or_cash_deposit",
    ),
    "Cash withdrawals": (
        "atm_support", "declined_cash_withdrawal", "pending_cash_withdrawal",
        "wrong_amount_of_cash_received", "wrong_exchange_rate_for_cash_withdrawal",
    ),
    "Exchange rates and currencies": (
        "exchange_rate", "exchange_via_app", "card_payment_wrong_exchange_rate",
        "fiat_currency_support", "supported_cards_and_currencies", "country_support",
        "visa_or_mastercard",
    ),
    "Account and identity": (
        "verify_my_identity", "unable_to_verify_identity", "why_verify_identity",
        "verify_source_of_funds", "edit_personal_details", "passcode_forgotten", "change_pin",
        "terminate_account", "age_limit",
    ),
}  # fmt: skip
TOPIC_OF_INTENT = {intent: topic for topic, intents in TOPICS.items() for intent in intents}


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise DataError(
            f"{path}: no such file (the permissive build needs {', '.join(f.name for f in FILES)})"
        )
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _uci(data: Path) -> list[tuple[str, str]]:
    return [
        (row["sentence"], "positive" if row["label"] == "1" else "negative")
        for name in UCI
        for row in _rows(data / name)
        if row.get("sentence", "").strip()
    ]


def sentiment_set(data: Path) -> TrainingSet:
    """Negative / neutral / positive from permissively licensed files (rules in the docstring)."""
    pairs = _uci(data)
    for row in _rows(data / BANKING77):
        if row["category"] in NEUTRAL_INTENTS:
            pairs.append((row["text"], "neutral"))
        elif row["category"] in NEGATIVE_INTENTS:
            pairs.append((row["text"], "negative"))
    narratives = [row[CFPB_TEXT][:CFPB_CHARS] for row in _rows(data / CFPB) if row[CFPB_TEXT].strip()]
    pairs += [(text, "negative") for text in narratives[:CFPB_ROWS]]
    return TrainingSet([t for t, _ in pairs], [label for _, label in pairs], "permissive files")


def category_set(data: Path) -> TrainingSet:
    """Ten payment-desk topics from Banking77's intents, with UCI review sentences as "none"."""
    unmapped = sorted({row["category"] for row in _rows(data / BANKING77)} - set(TOPIC_OF_INTENT))
    if unmapped:
        raise DataError(f"{data / BANKING77}: intents without a topic: {', '.join(unmapped)}")
    pairs = [(row["text"], TOPIC_OF_INTENT[row["category"]]) for row in _rows(data / BANKING77)]
    pairs += [(text, NO_CATEGORY) for text, _ in _uci(data)]
    return TrainingSet([t for t, _ in pairs], [label for _, label in pairs], f"{BANKING77} + UCI")


def unlabelled_texts(data: Path) -> list[str]:
    """Texts (no labels) for distilling the sentence vector: every permissive file."""
    texts = [row["text"] for row in _rows(data / BANKING77)]
    texts += [row[CFPB_TEXT][:CFPB_CHARS] for row in _rows(data / CFPB)]
    texts += [text for text, _ in _uci(data)]
    return [text for text in texts if text.strip()]
