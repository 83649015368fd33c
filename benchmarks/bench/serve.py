"""Serve one framework's benchmark app with uvicorn (uvloop, httptools, one worker).

python -m bench.serve FRAMEWORK APP PORT      (APP: main or many)
"""

import argparse

import uvicorn

from bench.load import load_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("framework")
    parser.add_argument("app", choices=("main", "many"))
    parser.add_argument("port", type=int)
    args = parser.parse_args()
    uvicorn.run(
        load_app(args.framework, args.app),
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        workers=1,
        lifespan="on",
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
