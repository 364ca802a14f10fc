# The mixnet integration tests (labels `mixnet` and `integration`): a network
# of tenebrad processes over loopback tcp, brought up once per ctest run by a
# fixture (scripts/testnet) and taken down by its cleanup even when a test
# fails. A second fixture runs the same network with three authorities
# (threshold 2), a third over the private Tor network. The scenarios of a
# network share it, so they hold one lock. Under ASan/UBSan only the tcp
# network runs (its `down` step fails on any sanitizer report in a node log).
if(NOT TENEBRA_TESTS)
  return()
endif()

set(mixnet_runner ${CMAKE_CURRENT_SOURCE_DIR}/mixnet-test)
set(mixnet_env "TENEBRA_BIN_DIR=$<TARGET_FILE_DIR:tenebrad>")

# cost: ctest's COST, so the long chains start first (see tests/tunnel).
function(mixnet_network fixture dir up_timeout cost)
  add_test(NAME ${fixture}_up COMMAND ${mixnet_runner} $<TARGET_FILE:mixnet_probe> ${dir} up ${ARGN})
  add_test(NAME ${fixture}_down COMMAND ${mixnet_runner} $<TARGET_FILE:mixnet_probe> ${dir} down)
  set_tests_properties(${fixture}_up PROPERTIES FIXTURES_SETUP ${fixture} LABELS "mixnet;integration"
    TIMEOUT ${up_timeout} COST ${cost}
    RESOURCE_LOCK ${fixture} ENVIRONMENT "${mixnet_env}")
  set_tests_properties(${fixture}_down PROPERTIES FIXTURES_CLEANUP ${fixture} LABELS "mixnet;integration"
    TIMEOUT 60 RESOURCE_LOCK ${fixture} ENVIRONMENT "${mixnet_env}")
endfunction()

function(mixnet_scenario fixture dir scenario timeout labels)
  add_test(NAME ${fixture}_${scenario}
    COMMAND ${mixnet_runner} $<TARGET_FILE:mixnet_probe> ${dir} ${scenario})
  set_tests_properties(${fixture}_${scenario} PROPERTIES FIXTURES_REQUIRED ${fixture} RESOURCE_LOCK ${fixture}
    LABELS "${labels}" TIMEOUT ${timeout} COST 350 ENVIRONMENT "${mixnet_env}")
endfunction()

set(mixnet_dir ${CMAKE_BINARY_DIR}/mixnet-run)
mixnet_network(mixnet ${mixnet_dir} 180 400 --authorities 1 --epoch 15)
mixnet_scenario(mixnet ${mixnet_dir} deliver 120 "mixnet;integration")
mixnet_scenario(mixnet ${mixnet_dir} replay 120 "mixnet;integration")
mixnet_scenario(mixnet ${mixnet_dir} fetch 120 "mixnet;integration")
mixnet_scenario(mixnet ${mixnet_dir} tamper 120 "mixnet;integration")
mixnet_scenario(mixnet ${mixnet_dir} provider-kill 180 "mixnet;integration")
mixnet_scenario(mixnet ${mixnet_dir} rollover 240 "mixnet;integration;slow")

if(TENEBRA_SANITIZE)
  return()
endif()

set(mixnet3_dir ${CMAKE_BINARY_DIR}/mixnet3-run)
mixnet_network(mixnet3 ${mixnet3_dir} 180 300 --authorities 3 --epoch 15)
mixnet_scenario(mixnet3 ${mixnet3_dir} deliver 120 "mixnet;integration")

# The same network over the private Tor network: every node runs its own
# supervised tor, links and directory requests ride onion services, and the
# probe dials through a tor of its own. About a minute to come up.
set(mixnet_tor_dir ${CMAKE_BINARY_DIR}/mixnet-tor-run)
mixnet_network(mixnet_tor ${mixnet_tor_dir} 420 800 --authorities 1 --transport tor)
mixnet_scenario(mixnet_tor ${mixnet_tor_dir} deliver 240 "mixnet;integration;tunnel")
mixnet_scenario(mixnet_tor ${mixnet_tor_dir} fetch 240 "mixnet;integration;tunnel")
mixnet_scenario(mixnet_tor ${mixnet_tor_dir} tamper 240 "mixnet;integration;tunnel")
mixnet_scenario(mixnet_tor ${mixnet_tor_dir} replay 240 "mixnet;integration;tunnel")
mixnet_scenario(mixnet_tor ${mixnet_tor_dir} provider-kill 300 "mixnet;integration;tunnel")
mixnet_scenario(mixnet_tor ${mixnet_tor_dir} rollover 420 "mixnet;integration;tunnel;slow")
set_tests_properties(mixnet_tor_up mixnet_tor_down PROPERTIES LABELS "mixnet;integration;tunnel;slow")
# Seventeen tors coming up starve the Tor tunnel test's restart-and-redial
# of CPU (seen: its redial timed out): bring this network up after it.
# (DEPENDS only orders: ctest ignores it when that test is not selected.)
set_tests_properties(mixnet_tor_up PROPERTIES DEPENDS tor_tunnel_test)
