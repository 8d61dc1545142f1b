"""The command line of the orchestrator exports: `svtool to-kubernetes` and `svtool to-compose`.

cli.py adds these commands to `svtool`; like every command they parse flags with click and call
one plain function through the error boundary.
"""

from __future__ import annotations

import click

from supervisor_tools.cli_options import config_of, config_option, run

_IMAGE_HELP = ("The container image of every program; PROGRAM=IMAGE gives one program its "
               "own (repeatable).")


@click.command("to-kubernetes", short_help="Convert a config to Kubernetes workloads.")
@click.argument("config", type=click.Path(dir_okay=False), required=False)
@config_option(type=click.Path(dir_okay=False))
@click.option("--image", "images", multiple=True, required=True, metavar="[PROGRAM=]IMAGE",
              help=_IMAGE_HELP)
@click.option("-o", "--output", metavar="DIR",
              help="Write one file per object into DIR (created if missing); - or none: one "
                   "YAML stream on stdout.")
@click.option("--namespace", metavar="NAME", help="Put every object in this namespace.")
@click.option("--kube-version", metavar="X.Y",
              help="The Kubernetes version whose fields may be used (default: the newest "
                   "svtool knows).")
@click.option("--strict", is_flag=True,
              help="Fail (exit 1, nothing written) when an option cannot be expressed.")
def to_kubernetes(config: str | None, config_opt: str | None, images: tuple[str, ...],
                  output: str | None, namespace: str | None, kube_version: str | None,
                  strict: bool) -> None:
    """Convert a config or conf.d fragment to Kubernetes manifests: a Deployment, StatefulSet
    or Job per program (docs/kubernetes.md)."""
    path = config_of(config, config_opt)
    from supervisor_tools.convert.kubernetes_command import to_kubernetes_command

    run(lambda: to_kubernetes_command(path, images=images, output=output, namespace=namespace,
                                      kube_version=kube_version, strict=strict))


@click.command("to-compose", short_help="Convert a config to a Compose file.")
@click.argument("config", type=click.Path(dir_okay=False), required=False)
@config_option(type=click.Path(dir_okay=False))
@click.option("--image", "images", multiple=True, required=True, metavar="[PROGRAM=]IMAGE",
              help=_IMAGE_HELP)
@click.option("-o", "--output", metavar="FILE",
              help="Write the Compose file to FILE (atomically) instead of stdout.")
@click.option("--strict", is_flag=True,
              help="Fail (exit 1, nothing written) when an option cannot be expressed.")
def to_compose(config: str | None, config_opt: str | None, images: tuple[str, ...],
               output: str | None, strict: bool) -> None:
    """Convert a config or conf.d fragment to a Compose file: one service per program
    (docs/compose.md)."""
    path = config_of(config, config_opt)
    from supervisor_tools.convert.kubernetes_command import to_compose_command

    run(lambda: to_compose_command(path, images=images, output=output, strict=strict))
