"""The pool's calendar: windows, notice periods and due dates are calendar days in Hechuan (Asia/Shanghai)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hotpot.web import SHANGHAI


def today() -> date:
    """Today in Hechuan, whatever the server's clock zone."""
    return datetime.now(SHANGHAI).date()


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days after start (Monday to Friday).

    Public holidays (春节, 国庆 ...) and the weekends worked in exchange (调休) are not in the platform's calendar:
    a notice over a holiday ends on the date this gives, and staff may extend it by hand if they must."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day
