from graph_api.cli import main

raise SystemExit(main())
