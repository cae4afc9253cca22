"""Service centres' offline half: windows, appointment slots, queue tickets and window intake
(issue "Online and offline as one"). ``ServiceCentre`` itself stays in identity."""
