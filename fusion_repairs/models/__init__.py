from . import repair_product_category
from . import product_template
from . import maintenance_contract
from . import sale_order
from . import sale_order_line
from . import stock_picking
from . import res_config_settings
from . import fusion_technician_task
