from btslog.cli import main

main()
