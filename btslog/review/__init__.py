"""The producer review page: a static read-only copy (:mod:`btslog.review.site`) and a small
web app that writes a reviewer's circles, rejections, decisions and comments to the log
(:mod:`btslog.review.app`).  What the page shows and what a reviewer may change is in
:mod:`btslog.ops.review`; this package holds only the web side and the page's files."""
