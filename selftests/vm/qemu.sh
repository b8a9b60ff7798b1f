# The QEMU machine of each guest architecture (sourced by run and mkroot.sh):
#   vm_qemu ARCH    sets VM_QEMU (command and machine) and VM_CONSOLE
# Debian architecture names; amd64 and arm64 both run under TCG (KVM is
# not usable here, and another architecture needs TCG anyway).
vm_qemu() {
	case $1 in
	amd64)
		VM_QEMU="qemu-system-x86_64 -accel tcg,thread=multi -cpu max"
		VM_CONSOLE=ttyS0 ;;
	arm64)
		# pauth-impdef: QEMU's own pointer-authentication hash, much
		# cheaper to emulate than the architected QARMA one.
		VM_QEMU="qemu-system-aarch64 -M virt -accel tcg,thread=multi"
		VM_QEMU="$VM_QEMU -cpu max,pauth-impdef=on"
		VM_CONSOLE=ttyAMA0 ;;
	*)
		echo "vm: no QEMU machine for architecture $1" >&2
		return 1 ;;
	esac
}

# The Debian architecture of a cached kernel (kernels fetched before the
# arch file was written are amd64).
vm_kernel_arch() {	# $1 = kernel dir
	if [ -f "$1/arch" ]; then
		cat "$1/arch"
	else
		echo amd64
	fi
}
