"""btslog.ops"""
