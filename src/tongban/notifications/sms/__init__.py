"""SMS gateways: the plugin contract (``base``) and the fake one that writes to a file (``fake``).
The gateway in use is ``settings.SMS_GATEWAY`` (a dotted path to a class)."""
