"""btslog.analyze"""
