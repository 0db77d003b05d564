"""btslog.exchange"""
