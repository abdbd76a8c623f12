from . import fusion_technician_skill
from . import fusion_service_zone
from . import res_users
from . import fusion_technician_task
from . import res_config_settings
