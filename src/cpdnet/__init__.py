"""cpdnet: the portal of a school-led, hub-based CPD network for maths and science teachers."""
