# Devices built into the zcnic test-bed QEMU: the q35 machine, what boots a
# Debian guest from a virtio disk, zcnic, and virtio-net/e1000e for
# comparison runs.
CONFIG_Q35=y
CONFIG_SERIAL_ISA=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_BLK=y
CONFIG_VIRTIO_NET=y
CONFIG_VIRTIO_RNG=y
CONFIG_E1000E_PCI_EXPRESS=y
CONFIG_PCIE_PORT=y
CONFIG_VTD=y
CONFIG_ZCNIC_PCI=y
