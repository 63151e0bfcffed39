"""The festival calendar is computed for any year from partner_zone/rules_data/festivals.json: fixed
days of the year, US Thanksgiving and the lunar Spring Festival from the public-holiday calendar,
the State Council's published weeks where the data file has them; `load_rules` loads later years."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from partner_zone import rules
from partner_zone.models import DutyRule, Festival, FestivalDate, RoundingRule

D = dt.date


def dates(key, year):
    return next(spec for spec in rules.festivals(years=(year,)) if spec["key"] == key)["dates"][year]


def spring_festival_rule():
    """The Spring Festival's rule alone, without the years whose dates the data file lists."""
    spec = next(spec for spec in rules._read_json("festivals.json") if spec["key"] == "spring-festival")
    return {name: value for name, value in spec.items() if name != "known_dates"}


def test_the_spring_festival_follows_the_lunar_new_year_in_years_no_table_lists():
    assert dates("spring-festival", 2030) == (D(2030, 2, 2), D(2030, 2, 9))  # new year 2030-02-03, eve to 6th day
    assert dates("spring-festival", 2031) == (D(2031, 1, 22), D(2031, 1, 29))  # new year 2031-01-23
    assert rules._public_holiday("CN", "Chinese New Year (Spring Festival)", 2030) == D(2030, 2, 3)
    assert rules._public_holiday("CN", "Chinese New Year (Spring Festival)", 2031) == D(2031, 1, 23)


def test_the_rule_gives_the_published_week_where_it_matches_and_the_published_week_wins_where_not():
    assert rules.festival_dates(spring_festival_rule(), 2025) == (D(2025, 1, 28), D(2025, 2, 4))
    assert dates("spring-festival", 2026) == (D(2026, 2, 15), D(2026, 2, 23))  # the State Council's 9 days
    assert rules.festival_dates(spring_festival_rule(), 2026) == (D(2026, 2, 16), D(2026, 2, 23))


def test_thanksgiving_and_black_friday_of_2029_are_the_fourth_thursday_of_november_and_the_days_after():
    assert dates("thanksgiving", 2029) == (D(2029, 11, 22), D(2029, 11, 22))
    assert dates("black-friday", 2029) == (D(2029, 11, 23), D(2029, 11, 26))  # Black Friday to Cyber Monday


def test_the_fixed_day_festivals_of_any_year():
    assert dates("618", 2033) == (D(2033, 6, 1), D(2033, 6, 18))
    assert dates("singles-day", 2033) == (D(2033, 11, 1), D(2033, 11, 11))
    assert dates("christmas", 2033) == (D(2033, 12, 1), D(2033, 12, 25))


def test_the_shipped_dates_of_2025_to_2028_are_those_the_first_migration_loaded():
    shipped = {spec["key"]: spec["dates"] for spec in rules.festivals()}

    assert sorted(shipped["spring-festival"]) == [2025, 2026, 2027, 2028]
    assert shipped["spring-festival"][2027] == (D(2027, 2, 5), D(2027, 2, 11))
    assert shipped["spring-festival"][2028] == (D(2028, 1, 25), D(2028, 1, 31))
    assert shipped["thanksgiving"][2025] == (D(2025, 11, 27), D(2025, 11, 27))
    assert shipped["black-friday"][2026] == (D(2026, 11, 27), D(2026, 11, 30))


def test_every_festival_of_the_data_file_has_an_anchor_and_a_span_in_order():
    for spec in json.loads((rules.DATA_DIR / "festivals.json").read_text(encoding="utf-8")):
        for year in (2029, 2040):
            starts_on, ends_on = rules.festival_dates(spec, year)
            assert starts_on <= ends_on, spec["key"]


@pytest.mark.django_db
def test_load_rules_adds_the_festival_dates_of_a_later_year_and_keeps_ops_edits():
    rules.load(DutyRule=DutyRule, RoundingRule=RoundingRule, Festival=Festival, FestivalDate=FestivalDate)
    FestivalDate.objects.filter(festival__key="618", year=2025).update(starts_on=D(2025, 5, 20))

    call_command("load_rules", "--year=2031")
    call_command("load_rules", "--year=2031")

    spring_2031 = FestivalDate.objects.get(festival__key="spring-festival", year=2031)
    assert (spring_2031.starts_on, spring_2031.ends_on) == (D(2031, 1, 22), D(2031, 1, 29))
    assert FestivalDate.objects.filter(year=2031).count() == Festival.objects.count() == 9
    assert FestivalDate.objects.get(festival__key="618", year=2025).starts_on == D(2025, 5, 20)


@pytest.mark.django_db
def test_load_rules_refuses_a_year_out_of_range():
    with pytest.raises(CommandError, match="--year"):
        call_command("load_rules", "--year=1899")


def test_japans_festivals_follow_its_public_holidays():
    specs = {spec["key"]: spec for spec in json.loads((rules.DATA_DIR / "festivals.json").read_text(encoding="utf-8"))}

    assert {key for key, spec in specs.items() if spec["country"] == "JP"} == {"hatsuuri", "golden-week", "nenmatsu"}
    # Golden Week: from Showa Day (29 April) to Children's Day (5 May), around Constitution Day.
    assert rules.festival_dates(specs["golden-week"], 2026) == (D(2026, 4, 29), D(2026, 5, 5))
    assert rules.festival_dates(specs["hatsuuri"], 2027) == (D(2027, 1, 2), D(2027, 1, 8))
