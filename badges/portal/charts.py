"""An inline SVG sparkline of daily 48h pickup rates (server-rendered, no JS)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH, HEIGHT, PAD = 196, 40, 4


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    day: date
    rate: Decimal
    badged: bool

    @property
    def percent(self) -> Decimal:
        return (self.rate * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    points: str  # polyline points of the days with a rate
    dots: list[Dot]
    threshold_y: float  # the badge threshold as a horizontal line
    floor: Decimal  # the rate at the bottom edge


def sparkline(days: list[date], stats: dict, threshold: Decimal) -> Sparkline:
    """``stats`` maps a day to an object with ``rate`` and ``badged``; days without one are gaps."""
    rates = [stats[d].rate for d in days if d in stats]
    floor = min([Decimal("0.90"), *rates])
    floor = Decimal(int(floor * 10)) / 10  # round down to a tenth
    span = (Decimal(1) - floor) or Decimal(1)
    step = (WIDTH - 2 * PAD) / max(len(days) - 1, 1)

    def y(rate: Decimal) -> float:
        return round(PAD + float((Decimal(1) - rate) / span) * (HEIGHT - 2 * PAD), 1)

    dots = [
        Dot(round(PAD + i * step, 1), y(stats[d].rate), d, stats[d].rate, stats[d].badged)
        for i, d in enumerate(days)
        if d in stats
    ]
    return Sparkline(WIDTH, HEIGHT, " ".join(f"{d.x},{d.y}" for d in dots), dots, y(threshold), floor)
