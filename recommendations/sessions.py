"""The UPR Working Group's calendar of sessions: when each session sat.

One table of public fact, read by the importer (a review created from a file gets the
date of its session) and by anything else that needs a review's year. A review's own day
inside its session is rarely in the files, so the session's first day stands in for it:
the year and month are right, the day is the session's opening.

Sessions 51 onwards are not listed: their dates were not fixed when this was written.
"""

from datetime import date

# session: (first day, last day)
CALENDAR: dict[int, tuple[date, date]] = {
    # Cycle 1
    1: (date(2008, 4, 7), date(2008, 4, 18)),
    2: (date(2008, 5, 5), date(2008, 5, 19)),
    3: (date(2008, 12, 1), date(2008, 12, 15)),
    4: (date(2009, 2, 2), date(2009, 2, 13)),
    5: (date(2009, 5, 4), date(2009, 5, 15)),
    6: (date(2009, 11, 30), date(2009, 12, 11)),
    7: (date(2010, 2, 8), date(2010, 2, 19)),
    8: (date(2010, 5, 3), date(2010, 5, 14)),
    9: (date(2010, 11, 1), date(2010, 11, 12)),
    10: (date(2011, 1, 24), date(2011, 2, 4)),
    11: (date(2011, 5, 2), date(2011, 5, 13)),
    12: (date(2011, 10, 3), date(2011, 10, 14)),
    # Cycle 2
    13: (date(2012, 5, 21), date(2012, 6, 4)),
    14: (date(2012, 10, 22), date(2012, 11, 5)),
    15: (date(2013, 1, 21), date(2013, 2, 1)),
    16: (date(2013, 4, 22), date(2013, 5, 3)),
    17: (date(2013, 10, 21), date(2013, 11, 1)),
    18: (date(2014, 1, 27), date(2014, 2, 7)),
    19: (date(2014, 4, 28), date(2014, 5, 9)),
    20: (date(2014, 10, 27), date(2014, 11, 7)),
    21: (date(2015, 1, 19), date(2015, 1, 30)),
    22: (date(2015, 5, 4), date(2015, 5, 15)),
    23: (date(2015, 11, 2), date(2015, 11, 13)),
    24: (date(2016, 1, 18), date(2016, 1, 29)),
    25: (date(2016, 5, 2), date(2016, 5, 13)),
    26: (date(2016, 10, 31), date(2016, 11, 11)),
    # Cycle 3
    27: (date(2017, 5, 1), date(2017, 5, 12)),
    28: (date(2017, 11, 6), date(2017, 11, 17)),
    29: (date(2018, 1, 15), date(2018, 1, 26)),
    30: (date(2018, 5, 7), date(2018, 5, 18)),
    31: (date(2018, 11, 5), date(2018, 11, 16)),
    32: (date(2019, 1, 21), date(2019, 2, 1)),
    33: (date(2019, 5, 6), date(2019, 5, 17)),
    34: (date(2019, 11, 4), date(2019, 11, 15)),
    35: (date(2020, 1, 20), date(2020, 1, 31)),
    # Moved from May 2020 to November by the pandemic.
    36: (date(2020, 11, 2), date(2020, 11, 13)),
    37: (date(2021, 1, 18), date(2021, 1, 29)),
    38: (date(2021, 5, 3), date(2021, 5, 14)),
    39: (date(2021, 11, 1), date(2021, 11, 12)),
    40: (date(2022, 1, 24), date(2022, 2, 4)),
    # Cycle 4
    41: (date(2022, 11, 7), date(2022, 11, 18)),
    42: (date(2023, 1, 23), date(2023, 2, 3)),
    43: (date(2023, 5, 1), date(2023, 5, 12)),
    44: (date(2023, 11, 6), date(2023, 11, 17)),
    45: (date(2024, 1, 22), date(2024, 2, 2)),
    46: (date(2024, 4, 29), date(2024, 5, 10)),
    47: (date(2024, 11, 4), date(2024, 11, 15)),
    48: (date(2025, 1, 20), date(2025, 1, 31)),
    49: (date(2025, 4, 28), date(2025, 5, 9)),
    50: (date(2025, 11, 3), date(2025, 11, 14)),
}


def opening_day(session: int | None) -> date | None:
    """The session's first day, or None for a session the calendar does not list."""
    dates = CALENDAR.get(session) if session else None
    return dates[0] if dates else None


def year_of(session: int | None) -> int | None:
    day = opening_day(session)
    return day.year if day else None
