from okd_streams.cli import main

raise SystemExit(main())
