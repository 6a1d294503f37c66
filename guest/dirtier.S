/*
 * dirtier.S - boot-sector guest that dirties RAM pages at a controlled rate.
 *
 * Loaded by the BIOS at 0x7c00 (real mode).  Enables A20, enters 32-bit
 * protected mode with flat segments, prints 'A' on COM1 once, then forever
 * increments the first byte of the pages at 1 MiB + k*4 KiB,
 * k = 0 .. working_set_pages-1 (in order, wrapping).
 *
 * Parameters (patched in the image by set-params.py) follow the magic "DRTY":
 *   u32 pages_per_second   0 = as fast as possible
 *   u32 working_set_pages  >= 1
 *
 * Pacing: the i8254 PIT channel 0 (1193182 Hz) interrupts every PIT_RELOAD
 * ticks (100 Hz) and the handler counts the interrupts.  Elapsed PIT ticks
 * (interrupts * PIT_RELOAD) * rate accumulate into a 64-bit credit, and
 * each page dirtied costs PIT_HZ credit.  Credit is capped at one second's
 * worth.  With less than one page of credit the guest halts until the next
 * interrupt, as an idle OS does.
 *
 * No IRET: interrupts are enabled only where the guest holds no state
 * outside its registers and variables (the window at "poll" and the
 * halt in "idle"), so the handler resets the stack and jumps to "poll"
 * instead of returning.  Some nested hypervisors cannot emulate IRET
 * (KVM "emulation failure"), and the guest must run under KVM there too.  (An earlier version polled the PIT's
 * count instead: it kept a host CPU busy and took QEMU's BQL for every
 * read, and the COLO threads that the benchmark measures queued behind
 * it.  Counting interrupts rather than reading the count after a halt also
 * avoids its ambiguity: two reads one period apart look alike.)
 *
 * Register use in the paced loop:
 *   ebx:esi  credit (hi:lo)       edi  next page address
 *   ebp      pages_per_second     ecx  burst counter
 * Scratch variables live at 0x500 (page 0), away from the code page, so
 * that TCG never has to invalidate translated code because of our writes.
 */

#define PIT_HZ      1193182
#define PIT_RELOAD  11932           /* PIT period: 100 Hz */
#define WS_BASE     0x100000
#define PAGE_SIZE   4096
#define BURST       256             /* pages between two credit updates */
#define VAR_END     0x500           /* u32: end address of the working set */
#define VAR_PREV    0x504           /* u32: VAR_TICKS at the last update */
#define VAR_TICKS   0x508           /* u32: PIT interrupts so far */
#define STACK_TOP   0x7000
#define IDT_BASE    0x1000          /* 256 gates, 2 KiB */

#define SEL_CODE    0x08
#define SEL_DATA    0x10

        .text
        .code16
        .globl  _start
_start:
        cli
        cld
        ljmp    $0, $rm_start       /* normalise CS:IP to 0000:7cxx */
rm_start:
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    $STACK_TOP, %sp

        /* A20 via the "fast A20" system control port; keep bit 0 (reset) 0 */
        inb     $0x92, %al
        orb     $0x02, %al
        andb    $0xfe, %al
        outb    %al, $0x92

        lgdtl   gdt_ptr
        movl    %cr0, %eax
        orl     $1, %eax            /* PE */
        movl    %eax, %cr0
        ljmpl   $SEL_CODE, $pm_start

        .code32
pm_start:
        movw    $SEL_DATA, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %fs
        movw    %ax, %gs
        movw    %ax, %ss
        movl    $STACK_TOP, %esp

        /* end = WS_BASE + ws_pages * PAGE_SIZE (mod 2^32; ws_pages 0 -> 1) */
        movl    param_ws, %eax
        testl   %eax, %eax
        jnz     1f
        incl    %eax
1:      shll    $12, %eax
        addl    $WS_BASE, %eax
        movl    %eax, VAR_END

        movl    param_rate, %ebp
        movl    $WS_BASE, %edi

        /* announce: one 'A' on COM1 */
        movw    $0x3f8, %dx
        movb    $'A', %al
        outb    %al, %dx

        testl   %ebp, %ebp
        jnz     paced

        /* ---- unlimited rate ---- */
fast:
        incb    (%edi)
        addl    $PAGE_SIZE, %edi
        cmpl    VAR_END, %edi
        jne     fast
        movl    $WS_BASE, %edi
        jmp     fast

        /* ---- paced ---- */
paced:
        /* Every vector goes to irq_tick.  Only the PIT's IRQ 0 is unmasked
         * (the PIC keeps the BIOS's base vector 8): no exception is
         * expected, so no vector needs to tell them apart. */
        movl    $IDT_BASE, %ebx
        movl    $(SEL_CODE << 16) + irq_tick, %eax
        movl    $0x8e00, %edx       /* present, DPL 0, 32-bit interrupt gate */
        movl    $256, %ecx
1:      movl    %eax, (%ebx)
        movl    %edx, 4(%ebx)
        addl    $8, %ebx
        loop    1b
        lidtl   idt_ptr
        movb    $0xff, %al
        outb    %al, $0xa1          /* slave PIC: all masked */
        movb    $0xfe, %al
        outb    %al, $0x21          /* master PIC: IRQ 0 only */

        /* PIT ch0: lo/hi access, mode 2 (rate generator), binary, reload
         * PIT_RELOAD: one interrupt every PIT_RELOAD ticks. */
        movb    $0x34, %al
        outb    %al, $0x43
        movb    $(PIT_RELOAD & 0xff), %al
        outb    %al, $0x40
        movb    $(PIT_RELOAD >> 8), %al
        outb    %al, $0x40

        xorl    %esi, %esi          /* credit = 0 */
        xorl    %ebx, %ebx
        movl    %esi, VAR_TICKS
        movl    %esi, VAR_PREV

        /* Interrupts are off except in this window and in idle's halt;
         * the handler comes back here. */
poll:
        sti
        nop                         /* sti's shadow: the window is here */
        cli
        movl    VAR_TICKS, %eax
        movl    VAR_PREV, %edx
        movl    %eax, VAR_PREV
        subl    %edx, %eax          /* interrupts since the last update */
        imull   $PIT_RELOAD, %eax   /* elapsed PIT ticks */
        mull    %ebp                /* edx:eax = elapsed * rate */
        addl    %eax, %esi
        adcl    %edx, %ebx

        movl    $PIT_HZ, %eax       /* cap = rate * PIT_HZ (one second) */
        mull    %ebp
        cmpl    %edx, %ebx
        jb      2f
        ja      1f
        cmpl    %eax, %esi
        jbe     2f
1:      movl    %eax, %esi
        movl    %edx, %ebx
2:
        movl    $BURST, %ecx
burst:
        testl   %ebx, %ebx
        jnz     3f
        cmpl    $PIT_HZ, %esi
        jb      idle                /* credit < one page */
3:      subl    $PIT_HZ, %esi
        sbbl    $0, %ebx
        incb    (%edi)
        addl    $PAGE_SIZE, %edi
        cmpl    VAR_END, %edi
        jne     4f
        movl    $WS_BASE, %edi
4:      decl    %ecx
        jnz     burst
        jmp     poll

        /* Halt unless an interrupt came since the last update.  sti's
         * one-instruction shadow: an interrupt pending at the check wakes
         * the hlt instead of being taken before it. */
idle:   movl    VAR_TICKS, %eax
        cmpl    VAR_PREV, %eax
        jne     poll
        sti
        hlt
        cli                         /* woken by something else */
        jmp     poll

        /* Taken only in poll's window or idle's halt, with interrupts off
         * until poll opens its window again: drop the frame, no IRET. */
irq_tick:
        incl    VAR_TICKS
        movb    $0x20, %al          /* non-specific EOI to the master PIC */
        outb    %al, $0x20
        movl    $STACK_TOP, %esp
        jmp     poll

        .p2align 3
gdt:
        .quad   0                           /* null */
        .quad   0x00cf9a000000ffff          /* 0x08: code, base 0, 4 GiB, 32-bit */
        .quad   0x00cf92000000ffff          /* 0x10: data, base 0, 4 GiB */
gdt_end:
gdt_ptr:
        .word   gdt_end - gdt - 1
        .long   gdt
idt_ptr:
        .word   256 * 8 - 1
        .long   IDT_BASE

        .ascii  "DRTY"
param_rate:
        .long   0                   /* pages_per_second */
param_ws:
        .long   25600               /* working_set_pages (100 MiB) */

        .org    510
        .byte   0x55, 0xaa
