from okd_streams.cli import run

run()
