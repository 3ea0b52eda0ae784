"""``rpymostat-sensor`` in this process on gpiozero's mock pins, whose levels the parent sets through stdin.

Mock pins live inside the process that uses them, so an end-to-end test
cannot touch them from outside: this runs the real daemon's ``main`` and a
thread that reads lines such as ``high 17`` or ``low 17`` and drives that
pin, as a contact wired to the Pi would. gpiozero then calls back on that
thread, as it does on a Pi on its own.
"""

from __future__ import annotations

import os
import sys
import threading


def drive_from_stdin() -> None:
    from gpiozero import Device

    for line in sys.stdin:
        words = line.split()
        if len(words) != 2 or words[0] not in ("high", "low"):
            continue
        pin = Device.pin_factory.pin(int(words[1]))
        pin.drive_high() if words[0] == "high" else pin.drive_low()


if __name__ == "__main__":
    os.environ["GPIOZERO_PIN_FACTORY"] = "mock"
    from rpymostat_sensor.runner import main

    threading.Thread(target=drive_from_stdin, daemon=True).start()
    sys.exit(main(sys.argv[1:]))
