"""The access log's append-only triggers again, now allowing the DELETE of rows inside segments
pruned under retention behind a signed anchor (audit.pruning)."""

from django.db import migrations

from tongban.audit.db import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("exchange", "0003_fk_indexes_led_by_composites"), ("audit", "0003_prune_anchor")]

    operations = [AppendOnly(model_name="accesslogentry")]
