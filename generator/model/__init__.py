"""What is emitted: the intermediate model (IR) that templates render."""
