# cmake -DOUT=<dir> -DVERSION=x.y.z -P write-version.cmake: IntunePasscodeConfigVersion.cmake (64-bit, same minor).
set(CMAKE_SIZEOF_VOID_P 8)
include(CMakePackageConfigHelpers)
write_basic_package_version_file("${OUT}/IntunePasscodeConfigVersion.cmake"
  VERSION "${VERSION}" COMPATIBILITY SameMinorVersion)
