"""Simplified Chinese for the Stripe and Alipay providers (issue 13): their names at checkout."""

ZH = {
    "Stripe": "Stripe",
    "Bank card (Stripe, with 3-D Secure check)": "银行卡（Stripe，含 3-D Secure 验证）",
    "Alipay": "支付宝",
    "Alipay (scan the QR code with the Alipay app)": "支付宝（用支付宝 App 扫描二维码）",
}
