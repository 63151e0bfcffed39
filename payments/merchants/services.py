"""Money owed to merchants, in the ledger (docs/adr/0033-merchant-money.md).

Each merchant has one balance per currency: the postings of `merchant_payables` tagged with it
(`party`), negative while we owe it. A sale credits the goods' price (against
`merchant_goods_cost`) and debits our commission (to `commission_income`); a refund and a fee debit
it; a payout debits it against the bank. Home sales are credited when they are paid (capture);
goods sold abroad when the partner's settlement for them is reconciled. Each event is posted once
(the ledger's unique references), so a repeated hook or run changes nothing."""

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money
from schwifty import BIC, IBAN
from schwifty import registry as bank_registry
from schwifty.exceptions import SchwiftyException

from catalog.models import Merchant, ProductVariant
from crossborder import money
from crossborder.errors import DomainError

from .. import hooks
from ..errors import MerchantMoneyErrorCode as Code
from ..ledger.models import Posting
from ..ledger.services import ledger, payouts
from ..shop.models import ForwardedLine
from .models import MerchantPayout, MerchantPayoutRun, MerchantPayoutTerms

PAYABLES = "merchant_payables"
# The kinds of a merchant's postings, each a line of its statement.
SALE, SALE_ABROAD, COMMISSION, FEE, REFUND, REFUND_ABROAD, PAYOUT = (
    "merchant_sale",
    "merchant_sale_abroad",
    "merchant_commission",
    "merchant_fee",
    "merchant_refund",
    "merchant_refund_abroad",
    "merchant_payout",
)


def party(merchant_id):
    """The counterparty tag of a merchant's postings: its balance is one query on it."""
    return f"merchant:{merchant_id}"


# --- terms ---------------------------------------------------------------------------------------


def _percent(value, *, field="commission_percent"):
    try:
        percent = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        percent = None
    if (
        percent is None
        or not percent.is_finite()
        or not 0 <= percent <= 100
        or percent.normalize().as_tuple().exponent < -2
    ):
        raise DomainError(
            Code.INVALID_COMMISSION,
            _("The commission rate must be a percentage from 0 to 100 (at most two decimals); %(value)s is not.")
            % {"value": value},
            field=field,
        )
    return percent


def default_commission_percent():
    try:
        return _percent(settings.MERCHANT_MONEY["COMMISSION_PERCENT"])
    except DomainError as exc:
        raise ImproperlyConfigured(f"MERCHANT_MONEY['COMMISSION_PERCENT']: {exc.detail}") from exc


def commission_percent(merchant_id):
    """The merchant's own rate, else the platform's default."""
    own = (
        MerchantPayoutTerms.objects.filter(merchant_id=merchant_id).values_list("commission_percent", flat=True).first()
    )
    return own if own is not None else default_commission_percent()


@transaction.atomic
def set_commission_rate(*, merchant, percent):
    """The merchant's commission rate in percent (0-100), or None for the platform's default."""
    percent = None if percent in (None, "") else _percent(percent)
    terms, _created = MerchantPayoutTerms.objects.select_for_update().get_or_create(merchant=merchant)
    terms.commission_percent = percent
    terms.updated_at = timezone.now()
    terms.save(update_fields=["commission_percent", "updated_at"])
    return terms


def uses_iban(country):
    """Whether the bank's country has IBANs (schwifty's registry): there the IBAN is the account."""
    try:
        return bool(bank_registry.get_iban_spec(country.upper()))
    except SchwiftyException:
        return False


def clean_bank_details(*, country, account_holder, iban="", bic="", account_number="", bank_name=""):
    """The details as stored, or a DomainError naming the field that is wrong. Where the country uses
    IBANs, a valid IBAN of that country (and a valid BIC when given); elsewhere (China, the United
    States...) an account number and the bank's name."""
    country = (country or "").strip().upper()
    holder = (account_holder or "").strip()
    if len(country) != 2 or not country.isalpha():
        raise DomainError(Code.INVALID_BANK_DETAILS, _("Give the bank's country as two letters."), field="bank_country")
    if not holder:
        raise DomainError(Code.INVALID_BANK_DETAILS, _("Give the account holder's name."), field="account_holder")
    clean = {"bank_country": country, "account_holder": holder[:140], "iban": "", "bic": "", "account_number": ""}
    if bic:
        try:
            clean["bic"] = str(BIC(bic.strip()))
        except SchwiftyException as exc:
            raise DomainError(
                Code.INVALID_BANK_DETAILS, _("The BIC is not valid: %(reason)s.") % {"reason": exc}, field="bic"
            ) from None
    if uses_iban(country):
        try:
            parsed = IBAN(iban or "")
        except SchwiftyException as exc:
            raise DomainError(
                Code.INVALID_BANK_DETAILS, _("The IBAN is not valid: %(reason)s.") % {"reason": exc}, field="iban"
            ) from None
        if parsed.country_code != country:
            raise DomainError(
                Code.INVALID_BANK_DETAILS,
                _("The IBAN is of %(found)s, the bank is in %(country)s.")
                % {"found": parsed.country_code, "country": country},
                field="iban",
            )
        clean.update(iban=parsed.compact, bank_name=(bank_name or "").strip()[:140])
        return clean
    number = "".join((account_number or "").split())
    if not number.isalnum() or not 4 <= len(number) <= 34:
        raise DomainError(
            Code.INVALID_BANK_DETAILS,
            _("Give the account number: 4 to 34 letters and digits."),
            field="account_number",
        )
    if not (bank_name or "").strip():
        raise DomainError(Code.INVALID_BANK_DETAILS, _("Give the bank's name."), field="bank_name")
    clean.update(account_number=number, bank_name=bank_name.strip()[:140])
    return clean


@transaction.atomic
def set_bank_details(*, merchant, **details):
    """Store where the merchant is paid (encrypted at rest); refused as a whole when a field is wrong."""
    clean = clean_bank_details(**details)
    terms, _created = MerchantPayoutTerms.objects.select_for_update().get_or_create(merchant=merchant)
    for name, value in clean.items():
        setattr(terms, name, value)
    terms.updated_at = timezone.now()
    terms.save()
    return terms


# --- credits and debits ----------------------------------------------------------------------------


def _commission(gross, percent):
    return money.money(gross.amount * Decimal(percent) / 100, str(gross.currency), rounding=money.BANKERS)


def _credit_sale(*, merchant_id, event, gross, kind, memo=""):
    """The sale's price to the merchant, and our commission off it: two transactions, so the
    merchant's statement shows both lines."""
    tag = party(merchant_id)
    ledger.post(
        reference=f"{kind}:{event}",
        kind=kind,
        event_reference=event,
        memo=memo,
        entries=[ledger.Entry("merchant_goods_cost", gross), ledger.Entry(PAYABLES, -gross, counterparty=tag)],
    )
    commission = _commission(gross, commission_percent(merchant_id))
    if commission.amount:
        ledger.post(
            reference=f"{COMMISSION}:{event}",
            kind=COMMISSION,
            event_reference=event,
            memo=memo,
            entries=[
                ledger.Entry(PAYABLES, commission, counterparty=tag),
                ledger.Entry("commission_income", -commission),
            ],
        )


def credit_home_sale(*, line):
    """A paid order line of a merchant's goods (shop.OrderLine): the goods' price less commission."""
    merchant_id = (
        ProductVariant.objects.filter(pk=line.variant_id).values_list("product__merchant_id", flat=True).first()
    )
    if merchant_id is None or not line.goods.amount:
        return
    _credit_sale(merchant_id=merchant_id, event=line.reference, gross=line.goods, kind=SALE)


def reverse_home_sale(*, line, reason, actor=None):
    """A paid line cancelled before it shipped: its credit and commission are reversed (once)."""
    for kind in (SALE, COMMISSION):
        ledger.reverse_event(reference=f"{kind}:{line.reference}", reason=reason, actor=actor)


def _debit_sale(*, merchant_id, event, gross, reference, kind=REFUND, memo=""):
    """Returned goods of a merchant's sale: it gives back `gross` of the sale and gets that share of
    the commission back. Two transactions (two statement lines), once per `reference`."""
    tag = party(merchant_id)
    ledger.post(
        reference=f"{kind}:{reference}",
        kind=kind,
        event_reference=event,
        memo=memo,
        entries=[ledger.Entry(PAYABLES, gross, counterparty=tag), ledger.Entry("merchant_goods_cost", -gross)],
    )
    commission = _commission(gross, commission_percent(merchant_id))
    if commission.amount:
        ledger.post(
            reference=f"{COMMISSION}:{reference}",
            kind=COMMISSION,
            event_reference=event,
            memo=memo,
            entries=[
                ledger.Entry("commission_income", commission),
                ledger.Entry(PAYABLES, -commission, counterparty=tag),
            ],
        )


def debit_returned_units(*, order_line, quantity, reference):
    """Returned units of a merchant's line were refunded: the merchant gives back their share of the
    sale and gets that share of the commission back. Once per `reference` (the return line's refund)."""
    merchant_id = (
        ProductVariant.objects.filter(pk=order_line.variant_id).values_list("product__merchant_id", flat=True).first()
    )
    if merchant_id is None or not quantity:
        return
    currency = str(order_line.goods.currency)
    gross = money.money(order_line.goods.amount * quantity / order_line.quantity, currency, rounding=money.BANKERS)
    if gross.amount:
        _debit_sale(merchant_id=merchant_id, event=order_line.reference, gross=gross, reference=reference)


def charge_fee(*, merchant, reference, amount: Money, memo=""):
    """A fee the merchant owes us (a listing fee, a payment fee passed on), off its balance."""
    amount = Money(money.parse_amount(amount.amount, str(amount.currency), positive=True), str(amount.currency))
    return ledger.post(
        reference=f"{FEE}:{reference}",
        kind=FEE,
        memo=memo,
        entries=[
            ledger.Entry(PAYABLES, amount, counterparty=party(merchant.pk)),
            ledger.Entry("merchant_fee_income", -amount),
        ],
    )


def _merchants_of_lines(references):
    """{forwarded line reference: merchant id} of our merchants' goods a partner sold (two queries)."""
    skus = dict(ForwardedLine.objects.filter(reference__in=references).values_list("reference", "sku"))
    owners = dict(ProductVariant.objects.filter(sku__in=set(skus.values())).values_list("sku", "product__merchant_id"))
    return {ref: owners[sku] for ref, sku in skus.items() if sku in owners}


def credit_settled_sales(*, batch):
    """A settlement batch was reconciled: each of our merchants' goods a partner sold in it is
    credited with what the partner owes us for it (its statement line), less the merchant's
    commission. Only now: the merchant is paid from money agreed with the partner, never before."""
    lines = list(
        batch.lines.filter(kind="goods_sold_abroad", amount__gt=0).values_list("event_reference", "currency", "amount")
    )
    # A return of our goods the partner's shopper sent back: the partner charged the sale back
    # (payments.ledger.services.charges: reference "<line>:return..."); its merchant gives it back.
    chargebacks = list(
        batch.lines.filter(kind="return_chargeback", amount__lt=0).values_list("event_reference", "currency", "amount")
    )
    sold_line = {ref: ref.split(":return", 1)[0] for ref, _currency, _amount in chargebacks}
    owners = _merchants_of_lines([ref for ref, _currency, _amount in lines] + list(sold_line.values()))
    memo = f"settlement {batch.partnership.partner.code} {batch.period_end:%Y-%m-%d} {batch.reference}"
    for ref, currency, amount in lines:
        if ref in owners:
            gross = money.money(amount, currency, rounding=money.BANKERS)
            _credit_sale(merchant_id=owners[ref], event=ref, gross=gross, kind=SALE_ABROAD, memo=memo)
    for ref, currency, amount in chargebacks:
        line = sold_line[ref]
        if line in owners:
            gross = money.money(-amount, currency, rounding=money.BANKERS)
            _debit_sale(merchant_id=owners[line], event=line, gross=gross, reference=ref, kind=REFUND_ABROAD, memo=memo)


# --- payouts ---------------------------------------------------------------------------------------


def minimum(currency):
    minimums = settings.MERCHANT_MONEY["PAYOUT_MINIMUM"]
    return Decimal(str(minimums.get(currency, minimums.get("default", "0"))))


def balances(merchant_ids=None):
    """{(merchant id, currency): what we owe it (positive)}: one query."""
    postings = Posting.objects.filter(account__code=PAYABLES, counterparty__startswith="merchant:")
    if merchant_ids is not None:
        postings = postings.filter(counterparty__in=[party(pk) for pk in merchant_ids])
    totals = {}
    for tag, currency, amount in postings.values_list("counterparty", "currency", "amount"):
        key = (int(tag.split(":", 1)[1]), currency)
        totals[key] = totals.get(key, Decimal(0)) - amount
    return {key: total for key, total in totals.items() if total}


def held_amounts(merchant_ids=None, *, now=None):
    """{(merchant id, currency): the part of its balance from sales still open to returns}. For home
    sales after-sales says which can still be returned (payments.hooks.sales_open_to_returns); a
    sale abroad is held for MERCHANT_MONEY["ABROAD_HOLD_DAYS"] after its credit (the partner's
    shoppers' returns come back as charge-backs in a later settlement)."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=settings.MERCHANT_MONEY["HOLD_LOOKBACK_DAYS"])
    sales = Posting.objects.filter(account__code=PAYABLES, kind=SALE, recorded_at__gte=since)
    if merchant_ids is not None:
        sales = sales.filter(counterparty__in=[party(pk) for pk in merchant_ids])
    references = set(sales.values_list("event_reference", flat=True))
    open_refs = hooks.open_to_returns(references, now=now)
    abroad = Posting.objects.filter(
        account__code=PAYABLES,
        kind=SALE_ABROAD,
        recorded_at__gte=now - dt.timedelta(days=settings.MERCHANT_MONEY["ABROAD_HOLD_DAYS"]),
    )
    if merchant_ids is not None:
        abroad = abroad.filter(counterparty__in=[party(pk) for pk in merchant_ids])
    open_abroad = set(abroad.values_list("event_reference", flat=True))
    held = {}
    rows = Posting.objects.filter(account__code=PAYABLES).filter(
        Q(event_reference__in=open_refs, kind__in=[SALE, COMMISSION, REFUND])
        | Q(event_reference__in=open_abroad, kind__in=[SALE_ABROAD, COMMISSION, REFUND_ABROAD])
    )
    for tag, currency, amount in rows.values_list("counterparty", "currency", "amount"):
        key = (int(tag.split(":", 1)[1]), currency)
        held[key] = held.get(key, Decimal(0)) - amount
    return held


def payable(merchant_ids=None, *, now=None):
    """[(merchant id, currency, owed, held, payable now)] for every merchant balance."""
    owed = balances(merchant_ids)
    held = held_amounts(merchant_ids, now=now)
    rows = []
    for (merchant_id, currency), total in sorted(owed.items()):
        kept = max(min(held.get((merchant_id, currency), Decimal(0)), total), Decimal(0))
        rows.append((merchant_id, currency, total, kept, money.quantize(total - kept, currency)))
    return rows


def _lock_payouts():
    """One payout run at a time, so two runs never pay the same balance."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('merchant payouts'))")


def _decide(rows, terms, merchants):
    due, not_paid = [], []
    for merchant_id, currency, owed, held, amount in rows:
        reason = None
        term = terms.get(merchant_id)
        if amount <= 0:
            reason = "held: sales open to returns" if held else "nothing owed"
        elif term is None or not term.has_bank_details:
            reason = "no bank details"
        elif amount < minimum(currency):
            reason = f"below the minimum of {minimum(currency)} {currency}"
        if reason is None:
            due.append((merchants[merchant_id], currency, amount))
        elif owed > 0:
            not_paid.append(
                {
                    "merchant": merchants[merchant_id].slug,
                    "currency": currency,
                    "owed": str(money.quantize(owed, currency)),
                    "held": str(money.quantize(held, currency)),
                    "reason": reason,
                }
            )
    return due, not_paid


def _write_run(run, due, terms):
    transfers, csv_rows = [], []
    for merchant, currency, amount in due:
        reference = f"{PAYOUT}:{run.key}:{merchant.pk}:{currency}"
        payout = MerchantPayout.objects.create(
            run=run, merchant=merchant, currency=currency, amount=amount, reference=reference
        )
        entry = Money(amount, currency)
        ledger.post(
            reference=reference,
            kind=PAYOUT,
            memo=f"payout run {run.key}",
            entries=[ledger.Entry(PAYABLES, entry, counterparty=party(merchant.pk)), ledger.Entry("bank", -entry)],
        )
        end_to_end = f"{run.message_id}-{payout.pk}"[:35]
        transfers.append(
            payouts.CreditTransfer(
                end_to_end_id=end_to_end,
                bank=terms[merchant.pk].bank(),
                amount=amount,
                currency=currency,
                remittance=f"{settings.PLATFORM_NAME} payout {run.key} {merchant.slug}",
            )
        )
        csv_rows.append(
            [
                end_to_end,
                merchant.slug,
                terms[merchant.pk].account_holder,
                terms[merchant.pk].masked_account(),
                currency,
                amount,
            ]
        )
    run.pain001 = (
        payouts.credit_transfers(message_id=run.message_id, created_at=run.created_at, transfers=transfers)
        if transfers
        else ""
    )
    run.payouts_csv = payouts.payout_csv(csv_rows)
    run.save(update_fields=["pain001", "payouts_csv", "held"])


def _message_id(now):
    return f"MPO-{now:%Y%m%d}-{uuid.uuid4().hex[:20]}"


def run_payouts(*, key=None, now=None, merchant_ids=None):
    """One payout run: every merchant whose balance, less what is held for open returns, reaches
    the minimum and who has bank details is paid, in one pain.001 file (CSV beside it), each payout
    posted to the ledger once. The same `key` again (default: today's date) returns the run made."""
    now = now or timezone.now()
    key = key or f"{now.astimezone(dt.UTC):%Y-%m-%d}"
    with transaction.atomic():
        _lock_payouts()
        existing = MerchantPayoutRun.objects.filter(key=key).first()
        if existing is not None:
            return existing
        rows = payable(merchant_ids, now=now)
        ids = {row[0] for row in rows}
        terms = {t.merchant_id: t for t in MerchantPayoutTerms.objects.filter(merchant_id__in=ids)}
        merchants = Merchant.objects.in_bulk(ids)
        due, not_paid = _decide(rows, terms, merchants)
        run = MerchantPayoutRun.objects.create(key=key, message_id=_message_id(now), created_at=now, held=not_paid)
        _write_run(run, due, terms)
    return run


def pay_merchant_now(*, merchant, now=None):
    """Ops pay one merchant outside the schedule. Refused, with nothing written, when it has no bank
    details, when what it is owed is held for sales still open to returns, or is below the minimum."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_payouts()
        rows = payable([merchant.pk], now=now)
        terms = MerchantPayoutTerms.objects.filter(merchant=merchant).first()
        if terms is None or not terms.has_bank_details:
            raise DomainError(
                Code.NO_BANK_DETAILS,
                _("%(merchant)s has no bank details: enter them before paying it.") % {"merchant": merchant},
                field="merchant",
            )
        if not rows or all(owed <= 0 for _m, _c, owed, _h, _a in rows):
            raise DomainError(Code.NOTHING_TO_PAY, _("%(merchant)s is owed nothing.") % {"merchant": merchant})
        if all(amount <= 0 for *_rest, amount in rows):
            raise DomainError(
                Code.OPEN_TO_RETURNS,
                _("What %(merchant)s is owed is from sales still open to returns; it is paid once their window closes.")
                % {"merchant": merchant},
            )
        if all(amount < minimum(currency) for _m, currency, _o, _h, amount in rows):
            raise DomainError(
                Code.BELOW_MINIMUM,
                _("What %(merchant)s can be paid is below the minimum payout.") % {"merchant": merchant},
            )
        return run_payouts(key=f"manual:{merchant.pk}:{now:%Y%m%d%H%M%S%f}", now=now, merchant_ids=[merchant.pk])


@transaction.atomic
def update_payout_terms(*, merchant, commission_percent, **bank):
    """The admin's form: commission rate and bank details together, refused as a whole when one is wrong."""
    percent = None if commission_percent in (None, "") else _percent(commission_percent)
    clean = clean_bank_details(**bank)
    terms, _created = MerchantPayoutTerms.objects.select_for_update().get_or_create(merchant=merchant)
    terms.commission_percent = percent
    for name, value in clean.items():
        setattr(terms, name, value)
    terms.updated_at = timezone.now()
    terms.save()
    return terms
