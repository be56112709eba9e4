from . import crm_demo_generator
from . import crm_demo_generator_service
from . import crm_demo_generator_segments
from . import crm_demo_generator_bench
