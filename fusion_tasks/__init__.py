from . import models, wizard


def _pre_init_fusion_tasks(env):
    """The overlap guarantee of the tasks is an exclusion constraint mixing an
    equality on an integer column with a range overlap: it needs btree_gist
    (a trusted extension, so the database owner may create it)."""
    env.cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
