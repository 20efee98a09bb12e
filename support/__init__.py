"""Test and benchmark support shared by tests/ and bench/ (never deployed): the one recorder of AWS calls
(calls.py), the synthesised stack seen as IAM sees it (deployed.py), the hand-written map from API operations to
IAM actions (iam_actions.py) and the check of each call against its function's grants (grants.py)."""
