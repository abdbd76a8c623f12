from . import test_availability, test_availability_lib, test_configuration, test_technician_task
