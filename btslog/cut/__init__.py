"""btslog.cut"""
