"""Demo local service providers: two per platform with a price list in its currency, in the
demo's delivery city (the logistics demo's recipients), and the demo car seats flagged as needing
installation (fitting an ISOFIX seat). Safe to run again."""

from django.conf import settings
from djmoney.money import Money

from catalog import services as catalog_services
from catalog.models import Product

from ..models import ProviderSkill, ServiceArea, ServiceProvider, Skill

# platform currency -> [(name, e-mail, phone, language, city, postcode prefix, {skill: price})]
PROVIDERS = {
    "CNY": [
        ("浦东家电安装服务中心", "pudong-fit@providers.example", "+86 21 5888 0000", "zh-hans", "上海", "",
         {"installation": "80", "maintenance": "60", "repair": "120"}),
        ("申城安心上门维修", "shencheng@providers.example", "+86 21 6222 0101", "zh-hans", "", "200",
         {"installation": "95", "repair": "110"}),
    ],
    "USD": [
        ("Rose City Home Fitters", "rosecity@providers.example", "+1 503 555 0140", "en", "Portland", "",
         {"installation": "35", "maintenance": "30", "repair": "60"}),
        ("Willamette Repairs", "willamette@providers.example", "+1 503 555 0188", "en", "", "972",
         {"installation": "40", "repair": "55"}),
    ],
    "JPY": [
        ("大田ホームサービス", "ota-home@providers.example", "+81 3 5555 0140", "ja", "大田区", "",
         {"installation": "4400", "maintenance": "3300", "repair": "6600"}),
        ("城南リペア", "jonan@providers.example", "+81 3 5555 0188", "ja", "", "143",
         {"installation": "5000", "repair": "6000"}),
    ],
}  # fmt: skip
INSTALLED_GOODS = "SEA-"  # the demo catalog's car seats


def ensure_demo_providers():
    """Create the demo providers (once) and flag the car seats; returns (providers, products)."""
    skills = {skill.code: skill for skill in Skill.objects.all()}
    created = 0
    for name, email, phone, language, city, prefix, prices in PROVIDERS.get(settings.PLATFORM_CURRENCY, []):
        provider, new = ServiceProvider.objects.get_or_create(
            name=name, defaults={"email": email, "phone": phone, "language": language}
        )
        created += new
        for code, price in prices.items():
            ProviderSkill.objects.get_or_create(
                provider=provider, skill=skills[code], defaults={"price": Money(price, settings.PLATFORM_CURRENCY)}
            )
        if not provider.areas.exists():
            ServiceArea.objects.create(provider=provider, city=city, postcode_prefix=prefix)
    flagged = 0
    for product in Product.objects.filter(code__startswith=INSTALLED_GOODS, needs_installation=False):
        catalog_services.set_needs_installation(product=product, needs_installation=True)
        flagged += 1
    return created, flagged
