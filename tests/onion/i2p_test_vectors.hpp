// I2P destinations for tests, made independently of Tenebra with Python:
//   dest = bytes((i*7+1)%256 for i in range(384)) + bytes([5,0,4,0,7,0,0])
//   pub  = base64.b64encode(dest, altchars=b'-~')              (391 bytes, 524 chars)
//   priv = base64.b64encode(dest + bytes((i*13+5)%256 for i in range(288)), altchars=b'-~')
//   b32  = base64.b32encode(hashlib.sha256(dest).digest()).decode().lower().rstrip('=') + '.b32.i2p'
// The layout is a real Ed25519 (type 7) key certificate; the key bytes are
// arbitrary.
#pragma once

#include <string_view>

namespace tenebra::onion::sam::test {

inline constexpr std::string_view kPub =
    "AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09rh6O~2~QQLEhkgJy41PENKUVhfZm10e4KJkJeepayzusHIz9bd5Ovy-"
    "QAHDhUcIyoxOD9GTVRb"
    "Ymlwd36FjJOaoaivtr3Ey9LZ4Ofu9fwDChEYHyYtNDtCSVBXXmVsc3qBiI-WnaSrsrnAx87V3OPq8fj~Bg0UGyIpMDc-"
    "RUxTWmFob3Z9hIuSmaCnrrW8"
    "w8rR2N~m7fT7AgkQFx4lLDM6QUhPVl1ka3J5gIeOlZyjqrG4v8bN1Nvi6fD3~gUMExohKC82PURLUllgZ251fIOKkZifpq20u8LJ0Nfe5ezz-"
    "gEIDxYd"
    "JCsyOUBHTlVcY2pxeH-GjZSboqmwt77FzNPa4ejv9v0ECxIZICcuNTxDSlFYX2ZtdHuCiZCXnqWss7rByM~W3eTr8vkABw4VHCMqMTg~"
    "Rk1UW2JpcHd-"
    "hYyTmqGor7a9xMvS2eDn7vX8AwoRGB8mLTQ7QklQV15lbHN6BQAEAAcAAA==";

inline constexpr std::string_view kPriv =
    "AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09rh6O~2~QQLEhkgJy41PENKUVhfZm10e4KJkJeepayzusHIz9bd5Ovy-"
    "QAHDhUcIyoxOD9GTVRb"
    "Ymlwd36FjJOaoaivtr3Ey9LZ4Ofu9fwDChEYHyYtNDtCSVBXXmVsc3qBiI-WnaSrsrnAx87V3OPq8fj~Bg0UGyIpMDc-"
    "RUxTWmFob3Z9hIuSmaCnrrW8"
    "w8rR2N~m7fT7AgkQFx4lLDM6QUhPVl1ka3J5gIeOlZyjqrG4v8bN1Nvi6fD3~gUMExohKC82PURLUllgZ251fIOKkZifpq20u8LJ0Nfe5ezz-"
    "gEIDxYd"
    "JCsyOUBHTlVcY2pxeH-GjZSboqmwt77FzNPa4ejv9v0ECxIZICcuNTxDSlFYX2ZtdHuCiZCXnqWss7rByM~W3eTr8vkABw4VHCMqMTg~"
    "Rk1UW2JpcHd-"
    "hYyTmqGor7a9xMvS2eDn7vX8AwoRGB8mLTQ7QklQV15lbHN6BQAEAAcAAAUSHyw5RlNgbXqHlKGuu8jV4u~8CRYjMD1KV2RxfouYpbK~"
    "zNnm8wANGic0"
    "QU5baHWCj5yptsPQ3er3BBEeKzhFUl9seYaToK26x9Th7vsIFSIvPElWY3B9ipeksb7L2OXy~wwZJjNATVpndIGOm6i1ws~"
    "c6fYDEB0qN0RRXmt4hZKf"
    "rLnG0-Dt-gcUIS47SFVib3yJlqOwvcrX5PH-CxglMj9MWWZzgI2ap7TBztvo9QIPHCk2Q1BdaneEkZ6ruMXS3-z5BhMgLTpHVGFue4iVoq-"
    "8ydbj8P0K"
    "FyQxPktYZXJ~jJmms8DN2uf0AQ4bKDVCT1xpdoOQnaq3xNHe6~gFEh8sOUZTYG16h5ShrrvI1eLv~AkWIzA9SldkcX6LmA==";

inline constexpr std::string_view kB32 = "3lno5mqbrezozpry4o77bkjxdgru43ubvsp2o2stti4m6pxgmsna.b32.i2p";

}  // namespace tenebra::onion::sam::test
