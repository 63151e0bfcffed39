"""Payout files: the ISO 20022 customer credit-transfer initiation (pain.001.001.09) for the bank,
and statements as CSV for the accountants. One writer for every payout: a reconciled settlement
batch's net to the partner (one transfer), and a merchant payout run (one transfer per merchant and
currency, payments/merchants). Writers only: the services decide what is due and store the files."""

import datetime as dt
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from crossborder import money, spreadsheets


def _bank(details, name):
    return {
        "name": details.get("name") or name,
        "iban": details.get("iban", ""),
        "account": details.get("account", ""),
        "bic": details.get("bic", ""),
    }


def _account_element(parent, tag, bank):
    account = ET.SubElement(ET.SubElement(parent, tag), "Id")
    if bank["iban"]:
        ET.SubElement(account, "IBAN").text = bank["iban"]
    else:
        ET.SubElement(ET.SubElement(account, "Othr"), "Id").text = bank["account"] or "UNKNOWN"


def _agent_element(parent, tag, bank):
    institution = ET.SubElement(ET.SubElement(parent, tag), "FinInstnId")
    if bank["bic"]:
        ET.SubElement(institution, "BICFI").text = bank["bic"]
    else:
        ET.SubElement(ET.SubElement(institution, "Othr"), "Id").text = "NOTPROVIDED"


@dataclass(frozen=True)
class CreditTransfer:
    """One transfer of a pain.001 file: to whom (`bank`: name, iban or account, bic), how much,
    and the remittance text the creditor sees."""

    end_to_end_id: str
    bank: dict
    amount: Decimal
    currency: str
    remittance: str


def credit_transfers(*, message_id, created_at, transfers):
    """The ISO 20022 customer credit-transfer initiation (pain.001.001.09) paying `transfers` from
    the platform's settlement account: one payment information block, one transaction each."""
    debtor = _bank(settings.SETTLEMENT_BANK, settings.PLATFORM_NAME)
    total = f"{sum((t.amount for t in transfers), Decimal(0))}"
    ns = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
    ET.register_namespace("", ns)
    document = ET.Element(f"{{{ns}}}Document")
    root = ET.SubElement(document, "CstmrCdtTrfInitn")
    header = ET.SubElement(root, "GrpHdr")
    ET.SubElement(header, "MsgId").text = message_id
    ET.SubElement(header, "CreDtTm").text = created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ET.SubElement(header, "NbOfTxs").text = str(len(transfers))
    ET.SubElement(header, "CtrlSum").text = total
    ET.SubElement(ET.SubElement(header, "InitgPty"), "Nm").text = debtor["name"]
    info = ET.SubElement(root, "PmtInf")
    ET.SubElement(info, "PmtInfId").text = message_id
    ET.SubElement(info, "PmtMtd").text = "TRF"
    ET.SubElement(info, "NbOfTxs").text = str(len(transfers))
    ET.SubElement(info, "CtrlSum").text = total
    ET.SubElement(ET.SubElement(info, "ReqdExctnDt"), "Dt").text = created_at.date().isoformat()
    ET.SubElement(ET.SubElement(info, "Dbtr"), "Nm").text = debtor["name"]
    _account_element(info, "DbtrAcct", debtor)
    _agent_element(info, "DbtrAgt", debtor)
    for transfer in transfers:
        creditor = _bank(transfer.bank, transfer.bank.get("name", ""))
        element = ET.SubElement(info, "CdtTrfTxInf")
        ET.SubElement(ET.SubElement(element, "PmtId"), "EndToEndId").text = transfer.end_to_end_id[:35]
        amount_element = ET.SubElement(ET.SubElement(element, "Amt"), "InstdAmt", Ccy=transfer.currency)
        amount_element.text = f"{transfer.amount}"
        _agent_element(element, "CdtrAgt", creditor)
        ET.SubElement(ET.SubElement(element, "Cdtr"), "Nm").text = creditor["name"]
        _account_element(element, "CdtrAcct", creditor)
        ET.SubElement(ET.SubElement(element, "RmtInf"), "Ustrd").text = transfer.remittance[:140]
    ET.indent(document)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(document, encoding="unicode") + "\n"


def pain001(batch, *, message_id, amount, created_at):
    """The credit transfer of one settlement batch's net to the partner."""
    partner = batch.partnership.partner
    creditor = _bank(settings.SETTLEMENT_PARTNER_BANKS.get(partner.code, {}), partner.name)
    return credit_transfers(
        message_id=message_id,
        created_at=created_at,
        transfers=[
            CreditTransfer(
                end_to_end_id=message_id,
                bank=creditor,
                amount=amount,
                currency=batch.currency,
                remittance=f"Settlement {batch.period_end:%Y-%m-%d} batch {batch.reference}",
            )
        ],
    )


def _shown(amount, currency):
    """An amount in the currency's minor units, as a number: written as -81.00, not neutralised."""
    return money.quantize(Decimal(amount), currency)


def statement_csv(batch, lines):
    """The batch's statement (`lines` as settlement.statement_lines gives them) with its totals and
    net. Text columns (references, partner-made) neutralised; amounts stay numbers, negative or not."""
    out = io.StringIO()
    writer = spreadsheets.CsvWriter(out)
    writer.writerow(["event_reference", "kind", "currency", "amount", "postings"])
    for ref, kind, currency, amount, count in lines:
        writer.writerow([ref, kind, currency, _shown(amount, currency), count])
    for currency, total in sorted(batch.currency_totals.items()):
        writer.writerow([f"total {currency}", "", currency, _shown(Decimal(total["total"]), currency), ""])
        if currency != batch.currency:
            writer.writerow(
                [f"converted at {total['rate']}", "", batch.currency, _shown(total["converted"], batch.currency), ""]
            )
    net = _shown(batch.net_amount, batch.currency)
    writer.writerow(["net (positive: the partner owes us)", "", batch.currency, net, ""])
    return out.getvalue()


def payout_csv(rows):
    """A merchant payout run's transfers, one row each, beside its pain.001 file."""
    out = io.StringIO()
    writer = spreadsheets.CsvWriter(out)
    writer.writerow(["end_to_end_id", "merchant", "account_holder", "account", "currency", "amount"])
    for end_to_end, merchant, holder, account, currency, amount in rows:
        writer.writerow([end_to_end, merchant, holder, account, currency, _shown(amount, currency)])
    return out.getvalue()
