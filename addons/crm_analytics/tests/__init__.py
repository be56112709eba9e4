from . import test_classification_report
