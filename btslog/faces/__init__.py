"""btslog.faces"""
