"""Payout files of a reconciled settlement batch: the ISO 20022 customer credit-transfer initiation
(pain.001.001.09) for the bank, and the statement as CSV for the accountants. Writers only: the
settlement service decides when a payout is due and stores both in its PayoutInstruction."""

import datetime as dt
import io
import xml.etree.ElementTree as ET
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


def pain001(batch, *, message_id, amount, created_at):
    """The ISO 20022 customer credit-transfer initiation (pain.001.001.09) for one batch's net."""
    partner = batch.partnership.partner
    debtor = _bank(settings.SETTLEMENT_BANK, settings.PLATFORM_NAME)
    creditor = _bank(settings.SETTLEMENT_PARTNER_BANKS.get(partner.code, {}), partner.name)
    ns = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
    ET.register_namespace("", ns)
    document = ET.Element(f"{{{ns}}}Document")
    root = ET.SubElement(document, "CstmrCdtTrfInitn")
    header = ET.SubElement(root, "GrpHdr")
    ET.SubElement(header, "MsgId").text = message_id
    ET.SubElement(header, "CreDtTm").text = created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ET.SubElement(header, "NbOfTxs").text = "1"
    ET.SubElement(header, "CtrlSum").text = f"{amount}"
    ET.SubElement(ET.SubElement(header, "InitgPty"), "Nm").text = debtor["name"]
    info = ET.SubElement(root, "PmtInf")
    ET.SubElement(info, "PmtInfId").text = message_id
    ET.SubElement(info, "PmtMtd").text = "TRF"
    ET.SubElement(info, "NbOfTxs").text = "1"
    ET.SubElement(info, "CtrlSum").text = f"{amount}"
    ET.SubElement(ET.SubElement(info, "ReqdExctnDt"), "Dt").text = created_at.date().isoformat()
    ET.SubElement(ET.SubElement(info, "Dbtr"), "Nm").text = debtor["name"]
    _account_element(info, "DbtrAcct", debtor)
    _agent_element(info, "DbtrAgt", debtor)
    transfer = ET.SubElement(info, "CdtTrfTxInf")
    ET.SubElement(ET.SubElement(transfer, "PmtId"), "EndToEndId").text = message_id
    amount_element = ET.SubElement(ET.SubElement(transfer, "Amt"), "InstdAmt", Ccy=batch.currency)
    amount_element.text = f"{amount}"
    _agent_element(transfer, "CdtrAgt", creditor)
    ET.SubElement(ET.SubElement(transfer, "Cdtr"), "Nm").text = creditor["name"]
    _account_element(transfer, "CdtrAcct", creditor)
    ET.SubElement(ET.SubElement(transfer, "RmtInf"), "Ustrd").text = (
        f"Settlement {batch.period_end:%Y-%m-%d} batch {batch.reference}"
    )[:140]
    ET.indent(document)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(document, encoding="unicode") + "\n"


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
