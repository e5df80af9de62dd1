"""The wheel holds a Linux executable (drmock/bin/drmock), so it is a platform wheel, not a pure one:
tagged py3-none-<platform> here (any Python 3: there is no extension module), then manylinux_2_36 by
`auditwheel repair` (scripts/build-wheel)."""
import sysconfig

from setuptools import Distribution, setup
from setuptools.command.bdist_wheel import bdist_wheel


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True   # platlib, not purelib: where auditwheel looks for binaries to repair


class PlatformWheel(bdist_wheel):
    def get_tag(self):
        return "py3", "none", sysconfig.get_platform().replace("-", "_").replace(".", "_")


setup(distclass=BinaryDistribution, cmdclass={"bdist_wheel": PlatformWheel})
