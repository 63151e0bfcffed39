"""English dates as shoppers read them: "Dec 5, 2026" and "Dec 5, 2026, 14:33" (no "p.m." to
collide with a sentence's full stop, no 12/05 that reads differently on either side of the ocean)."""

DATE_FORMAT = "M j, Y"
SHORT_DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y, H:i"
SHORT_DATETIME_FORMAT = "M j, Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "F j"
YEAR_MONTH_FORMAT = "F Y"
