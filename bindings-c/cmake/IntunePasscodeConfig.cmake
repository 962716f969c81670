# find_package(IntunePasscode) for the C library: imported targets IntunePasscode::shared and IntunePasscode::static,
# found relative to this file, so the unpacked archive works wherever it is.
include(CMakeFindDependencyMacro)
find_dependency(Threads)

get_filename_component(_ipc_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

if(NOT TARGET IntunePasscode::static)
  add_library(IntunePasscode::static STATIC IMPORTED)
  set_target_properties(IntunePasscode::static PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_ipc_prefix}/include")
  if(WIN32)
    set_target_properties(IntunePasscode::static PROPERTIES
      IMPORTED_LOCATION "${_ipc_prefix}/lib/intune_passcode.lib"
      INTERFACE_LINK_LIBRARIES "ws2_32;bcrypt;ntdll;userenv;advapi32;kernel32;crypt32;secur32;ncrypt")
  elseif(APPLE)
    set_target_properties(IntunePasscode::static PROPERTIES
      IMPORTED_LOCATION "${_ipc_prefix}/lib/libintune_passcode.a"
      INTERFACE_LINK_LIBRARIES "Threads::Threads;-framework CoreFoundation;-framework Security;-framework SystemConfiguration;iconv;m")
  else()
    # What `rustc --print native-static-libs` lists for this library.
    set_target_properties(IntunePasscode::static PROPERTIES
      IMPORTED_LOCATION "${_ipc_prefix}/lib/libintune_passcode.a"
      INTERFACE_LINK_LIBRARIES "Threads::Threads;${CMAKE_DL_LIBS};m;rt;util;gcc_s")
  endif()
endif()

if(NOT TARGET IntunePasscode::shared)
  add_library(IntunePasscode::shared SHARED IMPORTED)
  set_target_properties(IntunePasscode::shared PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_ipc_prefix}/include")
  if(WIN32)
    set_target_properties(IntunePasscode::shared PROPERTIES
      IMPORTED_LOCATION "${_ipc_prefix}/bin/intune_passcode.dll"
      IMPORTED_IMPLIB "${_ipc_prefix}/lib/intune_passcode.dll.lib")
  elseif(APPLE)
    set_target_properties(IntunePasscode::shared PROPERTIES
      IMPORTED_LOCATION "${_ipc_prefix}/lib/libintune_passcode.dylib")
  else()
    set_target_properties(IntunePasscode::shared PROPERTIES
      IMPORTED_LOCATION "${_ipc_prefix}/lib/libintune_passcode.so")
  endif()
endif()

unset(_ipc_prefix)
