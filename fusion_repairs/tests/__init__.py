from . import test_delivery
from . import test_foundation
from . import test_reminders
from . import test_reminders_bands
from . import test_spawn
