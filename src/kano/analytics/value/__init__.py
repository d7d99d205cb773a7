"""Customer value and portfolio: CLV, RFM, client matrix, profit formula, churn."""
