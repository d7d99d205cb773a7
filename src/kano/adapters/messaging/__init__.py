"""Messages out of Kano: acknowledgement texts, SMTP e-mail, Standard Webhooks."""
